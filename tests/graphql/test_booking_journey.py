"""A visitor's whole journey, through GraphQL and their mailbox."""

import re

import pytest
from django.core import mail

from booking.models import Registration
from tests import factories
from tests.graphql.test_booking_api import CANCEL, CONFIRM, REGISTER, VIEW, register_input

TOKEN = re.compile(r"token=([0-9a-f]{64})")


@pytest.fixture
def session(site_tree):
    enterprise = factories.EnterprisePageFactory(
        parent=site_tree.enterprise_index, title="Щербинский лифтостроительный завод"
    )
    return factories.TourSessionFactory(
        enterprise=enterprise, title="Как делают лифты", capacity=3, max_party_size=3
    )


def send(graphql, capture, query, variables):
    """Run a mutation and let its after-commit e-mail tasks run, as a real request would."""
    with capture(execute=True):
        return graphql(query, variables)


def last_token_for(address: str) -> str:
    message = [m for m in mail.outbox if address in m.to][-1]
    return TOKEN.search(message.body).group(1)


def test_register_confirm_ics_cancel_and_the_waitlist_moves(
    graphql, session, django_capture_on_commit_callbacks, settings
):
    settings.FRONTEND_URL = "https://otkroi.example"
    capture = django_capture_on_commit_callbacks

    # 1. Maria holds all three seats; the e-mail brings a link to the front end.
    held = send(graphql, capture, REGISTER, register_input(session, seats=3))
    assert held["registerForSession"]["registration"]["status"] == "PENDING"
    (confirm_mail,) = mail.outbox
    assert confirm_mail.to == ["maria@example.org"]
    assert "https://otkroi.example/registration/confirm?token=" in confirm_mail.body
    maria = last_token_for("maria@example.org")

    # 2. Ivan finds it full and joins the waitlist.
    waiting = send(
        graphql, capture, REGISTER, register_input(session, email="ivan@example.org", seats=2)
    )
    assert waiting["registerForSession"]["waitlisted"] is True
    assert "ожидания" in mail.outbox[-1].subject + mail.outbox[-1].body
    ivan = last_token_for("ivan@example.org")
    assert graphql(VIEW, {"token": ivan})["registration"]["waitlistPosition"] == 1

    # 3. Maria confirms from the link and gets the details with an .ics file.
    confirmed = send(graphql, capture, CONFIRM, {"token": maria})["confirmRegistration"]
    assert confirmed == {"registration": {"status": "CONFIRMED"}, "errors": []}
    details = mail.outbox[-1]
    (calendar,) = [a for a in details.attachments if a[2].startswith("text/calendar")]
    assert "BEGIN:VEVENT" in calendar[1]
    assert "Как делают лифты" in calendar[1]

    # 4. Maria cancels; Ivan's party is promoted in the same transaction and told.
    cancelled = send(graphql, capture, CANCEL, {"token": maria})["cancelRegistration"]
    assert cancelled == {"registration": {"status": "CANCELLED"}, "errors": []}
    ivan_view = graphql(VIEW, {"token": ivan})["registration"]
    assert ivan_view["status"] == "PENDING"
    promoted_mail = [m for m in mail.outbox if m.to == ["ivan@example.org"]][-1]
    assert "registration/confirm?token=" + ivan in promoted_mail.body

    # 5. Ivan confirms his promoted seats.
    send(graphql, capture, CONFIRM, {"token": ivan})
    assert Registration.objects.get(email="ivan@example.org").status == "confirmed"
    assert Registration.objects.get(email="maria@example.org").status == "cancelled"
