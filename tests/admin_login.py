"""Logging in to the admin through its login form, as people do.

Django's ``Client.login`` calls ``authenticate`` without a request, which the login
throttling (django-axes) refuses; the form is the door editors use anyway.
"""


def admin_login(client, username: str, password: str) -> bool:
    """Log ``client`` in through /admin/login/; True when the form let the user in."""
    response = client.post(
        "/admin/login/", {"username": username, "password": password, "next": "/admin/"}
    )
    return response.status_code == 302 and "_auth_user_id" in client.session
