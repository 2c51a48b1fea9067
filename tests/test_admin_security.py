"""The admin's own defences: login throttling and a Content-Security-Policy."""

import pytest

from tests.admin_login import admin_login


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", "right-pw")


def test_repeated_wrong_passwords_lock_the_login_out(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(5):
        assert not admin_login(client, "editor", "wrong")
    response = client.post("/admin/login/", {"username": "editor", "password": "right-pw"})
    assert response.status_code == 429
    assert "Вход временно закрыт" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out by this one's attempts.
    other = type(client)(REMOTE_ADDR="192.0.2.7")
    assert admin_login(other, "editor", "right-pw")


def test_a_successful_login_resets_the_count(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        assert not admin_login(client, "editor", "wrong")
    assert admin_login(client, "editor", "right-pw")
    client.logout()
    for _ in range(2):
        assert not admin_login(client, "editor", "wrong")
    assert admin_login(client, "editor", "right-pw")


def test_admin_pages_carry_a_content_security_policy(client, editor):
    login_page = client.get("/admin/login/")
    policy = login_page["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    assert admin_login(client, "editor", "right-pw")
    assert "script-src 'self'" in client.get("/admin/")["Content-Security-Policy"]


def test_graphiql_loads_nothing_from_another_origin(client, db):
    response = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "http" not in policy  # no CDN: only 'self' (and data: fonts)
    assert "default-src 'self'" in policy
