"""A visitor whose letter never came asks for it again: a new link, the old one dead."""

import pytest
from django.core import mail

from booking.models import Registration
from jobs.models import Delivery
from tests import factories
from tests.graphql.test_booking_api import CONFIRM, REGISTER, VIEW, register_input
from tests.graphql.test_booking_journey import last_token_for, send

RESEND = """
mutation ($sessionId: ID!, $email: String!) {
  resendRegistrationEmail(sessionId: $sessionId, email: $email) {
    accepted
    errors { field code message }
  }
}
"""


@pytest.fixture
def session(site_tree):
    enterprise = factories.EnterprisePageFactory(
        parent=site_tree.enterprise_index, title="Московский коксогазовый завод"
    )
    return factories.TourSessionFactory(enterprise=enterprise, capacity=5, max_party_size=3)


def resend(graphql, capture, session, email):
    variables = {"sessionId": str(session.pk), "email": email}
    return send(graphql, capture, RESEND, variables)["resendRegistrationEmail"]


def test_a_resent_link_works_and_the_old_one_no_longer_does(
    graphql, session, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    send(graphql, capture, REGISTER, register_input(session, seats=2))
    old = last_token_for("maria@example.org")

    answer = resend(graphql, capture, session, "  Maria@Example.org ")

    assert answer == {"accepted": True, "errors": []}
    assert len(mail.outbox) == 2
    assert mail.outbox[-1].subject.startswith("Подтвердите запись")
    new = last_token_for("maria@example.org")
    assert new != old
    assert graphql.post(VIEW, {"token": old}).json()["data"]["registration"] is None
    confirmed = send(graphql, capture, CONFIRM, {"token": new})["confirmRegistration"]
    assert confirmed["registration"] == {"status": "CONFIRMED"}


def test_a_confirmed_registration_gets_its_cancel_link_again(
    graphql, session, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    send(graphql, capture, REGISTER, register_input(session))
    send(graphql, capture, CONFIRM, {"token": last_token_for("maria@example.org")})

    resend(graphql, capture, session, "maria@example.org")

    letter = mail.outbox[-1]
    assert letter.subject.startswith("Запись подтверждена")
    assert "registration/cancel?token=" + last_token_for("maria@example.org") in letter.body


def test_the_answer_does_not_tell_whether_an_address_is_registered(
    graphql, session, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    send(graphql, capture, REGISTER, register_input(session))
    sent_before = len(mail.outbox)

    known = resend(graphql, capture, session, "maria@example.org")
    unknown = resend(graphql, capture, session, "nobody@example.org")

    assert known == unknown == {"accepted": True, "errors": []}
    assert len(mail.outbox) == sent_before + 1
    assert all(m.to == ["maria@example.org"] for m in mail.outbox)


def test_resending_is_limited_per_registration(
    graphql, session, django_capture_on_commit_callbacks, settings
):
    settings.BOOKING_RESEND_MINUTES = 10
    capture = django_capture_on_commit_callbacks
    send(graphql, capture, REGISTER, register_input(session))
    token = Registration.objects.get().token_hash

    for _ in range(3):
        assert resend(graphql, capture, session, "maria@example.org")["accepted"] is True

    assert len(mail.outbox) == 2  # the first letter and one resend
    assert Delivery.objects.count() == 2
    assert Registration.objects.get().token_hash != token


@pytest.mark.parametrize(
    ("session_id", "email", "field", "code"),
    [
        ("999999", "maria@example.org", "sessionId", "NOT_FOUND"),
        ("not-an-id", "maria@example.org", "sessionId", "NOT_FOUND"),
        (None, "not an address", "email", "INVALID_INPUT"),
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(
    graphql, session, django_capture_on_commit_callbacks, session_id, email, field, code
):
    capture = django_capture_on_commit_callbacks
    send(graphql, capture, REGISTER, register_input(session))
    before = list(Registration.objects.values())

    variables = {"sessionId": session_id or str(session.pk), "email": email}
    answer = send(graphql, capture, RESEND, variables)["resendRegistrationEmail"]

    assert answer["accepted"] is False
    [error] = answer["errors"]
    assert (error["field"], error["code"]) == (field, code)
    assert error["message"]
    assert list(Registration.objects.values()) == before
    assert len(mail.outbox) == 1


def test_resend_requests_are_rate_limited_per_address(
    graphql, session, django_capture_on_commit_callbacks, settings
):
    settings.BOOKING_RATE_LIMIT_PER_HOUR = 2
    capture = django_capture_on_commit_callbacks
    answers = [resend(graphql, capture, session, f"n{i}@example.org") for i in range(3)]

    assert [a["accepted"] for a in answers] == [True, True, False]
    assert answers[-1]["errors"][0]["code"] == "RATE_LIMITED"
