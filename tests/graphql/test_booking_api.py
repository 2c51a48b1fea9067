"""Booking through GraphQL, as the web and mobile clients do it."""

import datetime

import pytest
from django.utils import timezone

from booking.models import Registration
from tests import factories

REGISTER = """
mutation($input: RegisterForSessionInput!) {
  registerForSession(input: $input) {
    waitlisted
    registration { status seats holdExpiresAt session { id seatsLeft } }
    errors { field code message }
  }
}
"""

CONFIRM = """mutation($token: String!) { confirmRegistration(token: $token) {
  registration { status } errors { field code message } } }"""

CANCEL = """mutation($token: String!) { cancelRegistration(token: $token) {
  registration { status } errors { field code message } } }"""

VIEW = """query($token: String!) { registration(token: $token) {
  name email phone seats status waitlistPosition canCancel session { title } } }"""


@pytest.fixture
def enterprise(site_tree):
    return factories.EnterprisePageFactory(
        parent=site_tree.enterprise_index, title="Фабрика «Ральф Рингер»", slug="ralf-ringer"
    )


@pytest.fixture
def session(enterprise):
    return factories.TourSessionFactory(enterprise=enterprise, capacity=4, max_party_size=4)


def register_input(session, **overrides):
    values = {
        "sessionId": str(session.pk),
        "name": "Мария Петрова",
        "email": "maria@example.org",
        "phone": "8 (900) 111-22-33",
        "seats": 2,
        "consentToProcessing": True,
        "consentToTransfer": True,
    }
    values.update(overrides)
    return {"input": values}


def test_register_returns_a_receipt_without_personal_data(graphql, session):
    data = graphql(REGISTER, register_input(session))["registerForSession"]
    assert data["errors"] == []
    assert data["waitlisted"] is False
    assert data["registration"]["status"] == "PENDING"
    assert data["registration"]["session"]["seatsLeft"] == 2
    assert "maria" not in str(data)


def test_expected_failures_are_typed_errors_not_graphql_errors(graphql, session):
    response = graphql.post(REGISTER, register_input(session, consentToTransfer=False))
    body = response.json()
    assert "errors" not in body
    (error,) = body["data"]["registerForSession"]["errors"]
    assert error["code"] == "CONSENT_REQUIRED"
    assert error["field"] == "consentToTransfer"
    assert "предприятию" in error["message"]
    assert body["data"]["registerForSession"]["registration"] is None
    assert not Registration.objects.exists()


def test_unknown_session_is_not_found(graphql, db):
    data = graphql(REGISTER, {"input": {**register_input_stub(), "sessionId": "nope"}})
    assert data["registerForSession"]["errors"][0]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("session_id", ["nope", "999999"])
def test_errors_name_the_input_field_as_the_client_spells_it(graphql, session, session_id):
    """The services name fields in Python (``youngest_participant_age``); clients get
    their own names, whether the layer or the services refused the input."""
    session.min_age = 14
    session.save()
    too_young = graphql(REGISTER, register_input(session, youngestParticipantAge=12))
    unknown = graphql(REGISTER, register_input(session, sessionId=session_id))

    assert [(e["field"], e["code"]) for e in too_young["registerForSession"]["errors"]] == [
        ("youngestParticipantAge", "AGE_RESTRICTED")
    ]
    assert [(e["field"], e["code"]) for e in unknown["registerForSession"]["errors"]] == [
        ("sessionId", "NOT_FOUND")
    ]


def register_input_stub():
    return {
        "sessionId": "1",
        "name": "Мария Петрова",
        "email": "maria@example.org",
        "phone": "+79001112233",
        "seats": 1,
        "consentToProcessing": True,
        "consentToTransfer": True,
    }


def test_full_session_waitlists(graphql, session):
    graphql(REGISTER, register_input(session, seats=4))
    data = graphql(REGISTER, register_input(session, email="late@example.org", seats=1))
    assert data["registerForSession"]["waitlisted"] is True
    assert data["registerForSession"]["registration"]["status"] == "WAITLISTED"


def test_double_click_makes_one_registration(graphql, session):
    first = graphql(REGISTER, register_input(session))
    second = graphql(REGISTER, register_input(session))
    for answer in (first, second):  # a new hold's time each: the same shape as new
        del answer["registerForSession"]["registration"]["holdExpiresAt"]
    assert first == second
    assert Registration.objects.count() == 1


def test_the_answer_does_not_tell_whether_an_email_is_registered(graphql, session, mailoutbox):
    """Registering someone else's address: no ALREADY_REGISTERED, no copy of their receipt."""
    factories.RegistrationFactory(
        session=session, email="maria@example.org", status=Registration.Status.CONFIRMED, seats=1
    )
    other = factories.TourSessionFactory(enterprise=session.enterprise, capacity=4)
    known = graphql(REGISTER, register_input(session, name="Кто-то Другой", seats=2))
    unknown = graphql(REGISTER, register_input(other, name="Кто-то Другой", seats=2))
    for answer in (known, unknown):
        registration = answer["registerForSession"]["registration"]
        del registration["holdExpiresAt"], registration["session"]["id"]
        registration["session"]["seatsLeft"] = None  # seats differ: one seat is taken
    assert known == unknown
    assert known["registerForSession"]["registration"]["status"] == "PENDING"  # not CONFIRMED
    assert Registration.objects.filter(session=session).count() == 1


def test_token_holder_sees_and_changes_their_registration(graphql, session):
    registration = factories.RegistrationFactory(
        session=session, status=Registration.Status.PENDING, seats=2,
        hold_expires_at=timezone.now() + datetime.timedelta(minutes=30),
    )  # fmt: skip
    view = graphql(VIEW, {"token": registration.token})["registration"]
    assert view["email"] == registration.email
    assert view["canCancel"] is True

    confirmed = graphql(CONFIRM, {"token": registration.token})["confirmRegistration"]
    assert confirmed == {"registration": {"status": "CONFIRMED"}, "errors": []}
    cancelled = graphql(CANCEL, {"token": registration.token})["cancelRegistration"]
    assert cancelled == {"registration": {"status": "CANCELLED"}, "errors": []}


@pytest.mark.parametrize("token", ["", "x" * 64, "0" * 64])
def test_bad_tokens_reveal_nothing(graphql, session, token):
    factories.RegistrationFactory(session=session)
    assert graphql(VIEW, {"token": token}) == {"registration": None}
    data = graphql(CONFIRM, {"token": token})["confirmRegistration"]
    assert data["registration"] is None
    assert data["errors"][0]["code"] == "INVALID_TOKEN"


def test_mutations_are_refused_over_get(graphql, session):
    response = graphql.get(CONFIRM, {"token": "0" * 64})
    assert response.status_code == 405
    assert not Registration.objects.exists()


def test_registering_is_rate_limited(graphql, session, settings):
    settings.BOOKING_RATE_LIMIT_PER_HOUR = 2
    for n in range(2):
        graphql(REGISTER, register_input(session, email=f"r{n}@example.org", seats=1))
    data = graphql(REGISTER, register_input(session, email="r3@example.org", seats=1))
    assert data["registerForSession"]["errors"][0]["code"] == "RATE_LIMITED"
    assert Registration.objects.count() == 2


def test_personal_data_is_not_reachable_from_sessions(graphql, session):
    factories.RegistrationFactory(session=session, email="secret@example.org")
    response = graphql.post("{ sessions { edges { node { registrations { email } } } } }")
    assert response.status_code == 400
    assert "secret@example.org" not in response.content.decode()


def test_session_fields(graphql, session, enterprise):
    enterprise.min_age = 10
    enterprise.save()
    factories.RegistrationFactory(session=session, seats=3)
    data = graphql(
        """query($id: ID!) { session(id: $id) {
            title seatsLeft minAge audiences registrationOpen registrationClosesAt waitlistOpen
            status enterprise { name } format { name }
        } }""",
        {"id": str(session.pk)},
    )["session"]
    assert data["seatsLeft"] == 1
    assert data["minAge"] == 10
    assert data["registrationOpen"] is True
    assert data["waitlistOpen"] is False
    assert data["status"] == "SCHEDULED"
    assert data["enterprise"] == {"name": "Фабрика «Ральф Рингер»"}
    closes = datetime.datetime.fromisoformat(data["registrationClosesAt"])
    assert closes == session.starts_at - datetime.timedelta(days=3)


def test_session_filters(graphql, site_tree, enterprise):
    other = factories.EnterprisePageFactory(parent=site_tree.enterprise_index, min_age=14)
    season = factories.SeasonFactory(slug="osen")
    mine = factories.TourSessionFactory(
        enterprise=enterprise, season=season, for_schoolchildren=True, capacity=2
    )
    teen = factories.TourSessionFactory(
        enterprise=other, starts_at=timezone.now() + datetime.timedelta(days=30),
        ends_at=timezone.now() + datetime.timedelta(days=30, hours=1),
    )  # fmt: skip
    full = factories.TourSessionFactory(enterprise=enterprise, capacity=1)
    factories.RegistrationFactory(session=full, seats=1)
    past = factories.TourSessionFactory(
        enterprise=enterprise,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        ends_at=timezone.now() - datetime.timedelta(days=1) + datetime.timedelta(hours=1),
    )

    def ids(arguments=""):
        args = f"({arguments})" if arguments else ""
        data = graphql(f"{{ sessions{args} {{ edges {{ node {{ id }} }} }} }}")
        return {int(edge["node"]["id"]) for edge in data["sessions"]["edges"]}

    assert ids() == {mine.pk, teen.pk, full.pk}
    assert ids("includePast: true") == {mine.pk, teen.pk, full.pk, past.pk}
    assert ids('enterprise: "ralf-ringer"') == {mine.pk, full.pk}
    assert ids('season: "osen"') == {mine.pk}
    assert ids("availableOnly: true") == {mine.pk, teen.pk}
    assert ids("age: 12") == {mine.pk, full.pk}
    assert ids('audience: "schoolchildren"') == {mine.pk}
    later = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    assert ids(f'dateFrom: "{later}"') == {teen.pk}


def test_enterprise_upcoming_sessions_and_filter(graphql, site_tree, enterprise, session):
    factories.EnterprisePageFactory(parent=site_tree.enterprise_index, title="Без сеансов")
    data = graphql(
        """{ enterprises(hasUpcomingSessions: true) { edges { node {
            name upcomingSessions { id seatsLeft } } } } }"""
    )
    assert data["enterprises"]["edges"] == [
        {
            "node": {
                "name": "Фабрика «Ральф Рингер»",
                "upcomingSessions": [{"id": str(session.pk), "seatsLeft": 4}],
            }
        }
    ]


def test_sessions_of_unpublished_enterprises_are_hidden(graphql, site_tree):
    draft = factories.EnterprisePageFactory(parent=site_tree.enterprise_index, live=False)
    hidden = factories.TourSessionFactory(enterprise=draft)
    data = graphql(
        "query($id: ID!) { sessions { totalCount } session(id: $id) { id } }",
        {"id": str(hidden.pk)},
    )
    assert data == {"sessions": {"totalCount": 0}, "session": None}


@pytest.mark.parametrize("hidden_by", ["draft", "unpublished", "password", "login", "expired"])
def test_sessions_of_hidden_enterprises_cannot_be_booked(graphql, site_tree, hidden_by):
    """Booking applies reading's visibility: a guessed id of a hidden enterprise's session
    is NOT_FOUND, holds nothing and names nothing of the enterprise."""
    from wagtail.models import PageViewRestriction

    enterprise = factories.EnterprisePageFactory(
        parent=site_tree.enterprise_index, title="Закрытый завод", slug="zakrytyj"
    )
    session = factories.TourSessionFactory(enterprise=enterprise, meeting_point="Проходная 7")
    if hidden_by == "draft":
        enterprise.live = False
        enterprise.save()
    elif hidden_by == "unpublished":
        enterprise.unpublish()
    elif hidden_by in ("password", "login"):
        PageViewRestriction.objects.create(
            page=enterprise,
            restriction_type=PageViewRestriction.PASSWORD
            if hidden_by == "password"
            else PageViewRestriction.LOGIN,
            password="x",
        )
    else:
        enterprise.expire_at = timezone.now() - datetime.timedelta(minutes=1)
        enterprise.save()

    query = """mutation($input: RegisterForSessionInput!) { registerForSession(input: $input) {
      registration { session { title meetingPoint enterprise { name slug url } } }
      errors { code } } }"""
    response = graphql.post(query, register_input(session))
    body = response.json()
    assert "errors" not in body, body
    payload = body["data"]["registerForSession"]
    assert payload["registration"] is None
    assert [error["code"] for error in payload["errors"]] == ["NOT_FOUND"]
    assert "Закрытый" not in response.content.decode() and "Проходная" not in str(body)
    assert not Registration.objects.exists()
