"""«Отправки» in the admin: editors see what failed for good and can send it again."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import NoReverseMatch, reverse

from jobs.models import Delivery
from pages.accounts import EDITORS
from tests.admin_login import admin_login

PASSWORD = "correct horse battery staple"


@pytest.fixture
def failed(db):
    return Delivery.objects.create(
        handler="booking.notice",
        key="booking:1:confirmed:abc",
        payload={"registration": 1, "notice": "confirmed", "edition": "abc"},
        description="Письмо «Запись подтверждена» по заявке №1",
        status=Delivery.Status.FAILED,
        attempts=9,
        last_error="SMTPServerDisconnected('Connection unexpectedly closed')",
    )


def user_in(group_name, client, django_user_model):
    user = django_user_model.objects.create_user("editor", "editor@example.org", PASSWORD)
    user.groups.add(Group.objects.get(name=group_name))
    admin_login(client, "editor", PASSWORD)
    return user


def test_an_editor_sees_a_failed_letter_and_why(client, failed, django_user_model):
    user_in(EDITORS, client, django_user_model)

    listing = client.get(reverse("deliveries:index"), {"status": "failed"})

    assert listing.status_code == 200
    text = listing.content.decode()
    assert "Письмо «Запись подтверждена» по заявке №1" in text
    assert "SMTPServerDisconnected" in text
    inspect = client.get(reverse("deliveries:inspect", args=[failed.pk]))
    assert reverse("deliveries:retry", args=[failed.pk]) in inspect.content.decode()


def test_an_editor_sends_a_failed_letter_again(
    client, failed, django_user_model, django_capture_on_commit_callbacks
):
    user_in(EDITORS, client, django_user_model)
    url = reverse("deliveries:retry", args=[failed.pk])
    assert "Отправить снова" in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(url)

    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    assert len(queued) == 1  # its task, queued after commit


def test_a_delivery_that_has_not_failed_is_not_sent_again(client, failed, django_user_model):
    user_in(EDITORS, client, django_user_model)
    Delivery.objects.filter(pk=failed.pk).update(status=Delivery.Status.SENT)

    client.post(reverse("deliveries:retry", args=[failed.pk]))

    failed.refresh_from_db()
    assert failed.status == "sent"


def test_the_outbox_is_read_only(failed):
    for name, args in (("add", []), ("edit", [failed.pk]), ("delete", [failed.pk])):
        with pytest.raises(NoReverseMatch):  # no such view at all
            reverse(f"deliveries:{name}", args=args)


def test_people_without_the_permission_see_nothing(client, failed, django_user_model):
    user = django_user_model.objects.create_user("host", "host@example.org", PASSWORD)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    admin_login(client, "host", PASSWORD)

    # Wagtail answers a refusal by sending them back to the dashboard.
    assert client.get(reverse("deliveries:index")).url == "/admin/"
    assert client.post(reverse("deliveries:retry", args=[failed.pk])).url == "/admin/"
    failed.refresh_from_db()
    assert failed.status == "failed"
