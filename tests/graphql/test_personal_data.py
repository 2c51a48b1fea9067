"""Personal data stays behind the registration's token: in the schema and in the logs.

Registrants' data (``booking.Registration``, ``booking.Consent``) is readable only by
whoever holds the registration's token: ``Query.registration(token:)`` and the payloads of
``confirmRegistration`` / ``cancelRegistration``. An enterprise's internal contacts are
never readable at all. The audit walks the live schema, so a field added later is checked
without anyone remembering to add it here.
"""

import datetime
import logging
import re
import smtplib
from collections import deque
from dataclasses import dataclass, field
from functools import partial

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import models
from django.utils import timezone
from graphene.utils.str_converters import to_camel_case, to_snake_case
from graphql import (
    GraphQLSchema,
    get_named_type,
    is_abstract_type,
    is_interface_type,
    is_object_type,
)
from wagtail.admin.panels import FieldPanel

from booking.models import Consent, Registration
from graphql_schema.schema import schema as graphene_schema
from jobs import deliveries
from pages.models import EnterprisePage
from tests import factories

SCHEMA: GraphQLSchema = graphene_schema.graphql_schema

# The only ways in to a registration: each needs the token from the registrant's e-mail.
# (``Query.preview`` takes an editor's preview token, which opens no registration: it is
# walked like any public field.)
TOKEN_GATED = {
    ("Query", "registration"),
    ("Mutation", "confirmRegistration"),
    ("Mutation", "cancelRegistration"),
}

PERSONAL_MODELS = (Registration, Consent)


# --- what counts as personal, derived from the models ----------------------------------

# Words that make a model field about a person (a new ``guardian_phone`` is caught too).
PERSONAL_WORDS = ("name", "email", "phone", "ip", "address", "birth", "passport")


def _concrete_fields(model) -> list[models.Field]:
    return [f for f in model._meta.get_fields() if getattr(f, "concrete", False)]


def registrant_fields() -> set[str]:
    """Model field names (snake_case) that carry the registrant's personal data.

    Every field of ``Consent`` (what they agreed to, when, from which IP), the
    ``consents`` relation, the token secrets, and any ``Registration`` field that is an
    e-mail or IP field or whose name says it is about a person.
    """
    fields = {f.name for f in _concrete_fields(Consent) if not f.primary_key}
    fields |= {
        f.get_accessor_name()
        for f in Registration._meta.related_objects
        if f.related_model in PERSONAL_MODELS
    }
    for f in _concrete_fields(Registration):
        words = f.name.split("_")
        if (
            isinstance(f, models.EmailField | models.GenericIPAddressField)
            or f.name.startswith("token_")
            or any(word in PERSONAL_WORDS for word in words)
        ):
            fields.add(f.name)
    return fields


def _panel_field_names(panels) -> set[str]:
    names = set()
    for panel in panels:
        if isinstance(panel, FieldPanel):
            names.add(panel.field_name)
        names |= _panel_field_names(getattr(panel, "children", ()))
    return names


def internal_contact_fields() -> set[str]:
    """EnterprisePage fields for the programme's staff only (snake_case).

    The model keeps them in ``contact_panels`` («Внутренние контакты (не публикуются)»);
    any other field whose name mentions a contact counts as well.
    """
    in_panels = _panel_field_names(EnterprisePage.contact_panels)
    named = {f.name for f in _concrete_fields(EnterprisePage) if "contact" in f.name}
    return in_panels | named


def test_the_personal_field_sets_are_derived_from_the_models():
    assert {"name", "email", "phone", "consents", "ip_address"} <= registrant_fields()
    assert {"seats", "status", "session", "created_at"}.isdisjoint(registrant_fields())
    assert {"contact_name", "contact_email", "contact_phone"} <= internal_contact_fields()
    assert {"title", "address", "website"}.isdisjoint(internal_contact_fields())


# --- the walker -------------------------------------------------------------------------


@dataclass
class Walk:
    """What a walk from the roots reached: each type with the first path found to it."""

    paths: dict[str, str] = field(default_factory=dict)  # type name -> path
    edges: list[str] = field(default_factory=list)  # every "Type.field" followed

    @property
    def composite_types(self) -> list[str]:
        return [name for name in self.paths if is_object_type(SCHEMA.get_type(name))]


def walk(*, with_token: bool) -> Walk:
    """Breadth-first from Query and Mutation through every field, list, connection,
    interface and union (to its possible types). Without a token the token-gated root
    fields are not followed."""
    result = Walk()
    queue = deque()
    for root in (SCHEMA.query_type, SCHEMA.mutation_type):
        result.paths[root.name] = root.name
        queue.append(root)
    while queue:
        parent = queue.popleft()
        for name, graphql_field in parent.fields.items():
            if not with_token and (parent.name, name) in TOKEN_GATED:
                continue
            path = f"{result.paths[parent.name]}.{name}"
            result.edges.append(path)
            target = get_named_type(graphql_field.type)
            reached = [(target, path)]
            if is_abstract_type(target):
                reached += [
                    (possible, f"{path}<{possible.name}>")
                    for possible in SCHEMA.get_possible_types(target)
                ]
            for type_, type_path in reached:
                if type_.name in result.paths:
                    continue
                result.paths[type_.name] = type_path
                if is_object_type(type_) or is_interface_type(type_):
                    queue.append(type_)
    return result


def django_model(type_name: str):
    graphene_type = getattr(SCHEMA.get_type(type_name), "graphene_type", None)
    meta = getattr(graphene_type, "_meta", None)
    return getattr(meta, "model", None)


def model_field_behind(type_name: str, field_name: str) -> str:
    """The snake_case attribute a GraphQL field reads: its ``source=`` if it has one."""
    graphene_type = getattr(SCHEMA.get_type(type_name), "graphene_type", None)
    fields = getattr(getattr(graphene_type, "_meta", None), "fields", None) or {}
    graphene_field = fields.get(to_snake_case(field_name))
    resolver = getattr(graphene_field, "resolver", None)
    if isinstance(resolver, partial) and resolver.args and isinstance(resolver.args[0], str):
        return resolver.args[0]
    return to_snake_case(field_name)


def is_registration_like(type_name: str) -> bool:
    model = django_model(type_name)
    if model is not None:
        return issubclass(model, PERSONAL_MODELS)
    return bool(re.search(r"Registration|Registrant|Consent", type_name))


def is_enterprise_like(type_name: str) -> bool:
    model = django_model(type_name)
    return model is not None and issubclass(model, EnterprisePage)


def violations(found: Walk) -> list[str]:
    """Everything personal that ``found`` can read, each with the path that reaches it."""
    personal = registrant_fields()
    internal = internal_contact_fields()
    problems = []
    for type_name, path in found.paths.items():
        type_ = SCHEMA.get_type(type_name)
        model = django_model(type_name)
        if model is not None and issubclass(model, PERSONAL_MODELS):
            problems.append(f"type {type_name} ({model._meta.label}) is reachable at {path}")
        if not hasattr(type_, "fields"):
            continue
        for field_name in type_.fields:
            where = f"{path} -> {type_name}.{field_name}"
            source = model_field_behind(type_name, field_name)
            if is_registration_like(type_name) and source in personal:
                problems.append(f"registrant field {where}")
            if is_enterprise_like(type_name) and source in internal:
                problems.append(f"internal enterprise contact {where}")
            if "contact" in field_name.lower():
                problems.append(f"contact-looking field {where}")
        if "contact" in type_name.lower():
            problems.append(f"contact-looking type {type_name} at {path}")
    return problems


def test_without_a_token_no_personal_data_is_reachable():
    public = walk(with_token=False)

    found = violations(public)
    assert not found, "\n".join(found)
    # The walk really covered the schema: roots, connections, interfaces, the receipt.
    assert len(public.composite_types) > 30
    for type_name in ("TourSession", "Enterprise", "RegisterForSession", "RegistrationReceipt"):
        assert type_name in public.paths
    assert "PageInterface" in public.paths
    assert public.paths["Enterprise"].startswith("Query.")
    assert "Registration" not in public.paths
    assert "ConfirmRegistration" not in public.paths
    assert "CancelRegistration" not in public.paths


def test_positive_control_the_token_opens_the_registration():
    """The same walker and detector, with the token-gated entrances: they find the data."""
    gated = walk(with_token=True)

    assert gated.paths["Registration"] == "Query.registration"
    # Every object type of the schema is reached: nothing is hidden from the audit.
    object_types = {
        name
        for name, type_ in SCHEMA.type_map.items()
        if is_object_type(type_) and not name.startswith("__")
    }
    assert object_types - set(gated.paths) == set()
    assert "Mutation.confirmRegistration.registration" in gated.edges
    assert "Mutation.cancelRegistration.registration" in gated.edges
    found = violations(gated)
    assert "type Registration (booking.Registration) is reachable at Query.registration" in found
    for camel in ("name", "email", "phone"):
        assert f"registrant field Query.registration -> Registration.{camel}" in found
    assert is_enterprise_like("Enterprise")
    assert {to_camel_case(f) for f in internal_contact_fields()}.isdisjoint(
        SCHEMA.get_type("Enterprise").fields
    )


def test_the_receipt_says_nothing_personal():
    receipt = SCHEMA.get_type("RegistrationReceipt").fields
    personal = {to_camel_case(name) for name in registrant_fields()}
    assert personal.isdisjoint(receipt), sorted(personal & set(receipt))


# --- the logs -----------------------------------------------------------------------------

TYPED_EMAIL = "Maria.Petrova+otkroi@Example.ORG"
TYPED_PHONE = "8 (916) 555-73-91"
NAME = "Мария Петроваглазова"
IP = "203.0.113.77"

REGISTER = """mutation($input: RegisterForSessionInput!) { registerForSession(input: $input) {
  waitlisted registration { status seats } errors { field code message } } }"""
CONFIRM = """mutation($token: String!) { confirmRegistration(token: $token) {
  registration { status } errors { field code message } } }"""
CANCEL = """mutation($token: String!) { cancelRegistration(token: $token) {
  registration { status } errors { field code message } } }"""
VIEW = """query($token: String!) { registration(token: $token) { name email phone status } }"""


def needles(typed_email: str, typed_phone: str) -> set[str]:
    """The e-mail and the phone in every form they could be logged in."""
    digits = re.sub(r"\D", "", typed_phone)
    national = digits[-10:]
    return {
        typed_email,
        typed_email.lower(),
        typed_email.split("@")[0].lower(),  # the local part alone
        typed_phone,
        f"+7{national}",
        f"7{national}",
        f"8{national}",
        national,
        f"+7 {national[:3]} {national[3:6]}-{national[6:8]}-{national[8:]}",
    }


@pytest.fixture
def all_logs_at_debug(caplog):
    """Capture every logger at DEBUG, also those that set their own level or stop
    propagating (django.db.backends, django_tasks…). SQL is not logged: the test settings,
    like production, run with DEBUG off."""
    caplog.set_level(logging.DEBUG)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if not isinstance(logger, logging.Logger):
            continue
        caplog.set_level(logging.DEBUG, logger=name)
        if not logger.propagate:
            logger.addHandler(caplog.handler)
    yield caplog
    for logger in logging.root.manager.loggerDict.values():
        if isinstance(logger, logging.Logger) and caplog.handler in logger.handlers:
            logger.removeHandler(caplog.handler)


@pytest.fixture
def mail_server(monkeypatch, settings):
    """The locmem mail server, told how to fail: ``refuse`` recipients or ``disconnect``."""
    settings.DELIVERY_RETRY_DELAYS = [60, 300, 1800]
    settings.DELIVERY_CIRCUIT_SECONDS = 0  # one disconnect does not hold back the next letter
    state = {"refuse": 0, "disconnect": 0}
    real_send = EmailBackend.send_messages

    def send_messages(self, messages):
        if state["disconnect"]:
            state["disconnect"] -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        if state["refuse"]:
            state["refuse"] -= 1
            recipients = [address for message in messages for address in message.to]
            raise smtplib.SMTPRecipientsRefused(
                {
                    address: (550, f"5.1.1 <{address}>: Recipient address rejected".encode())
                    for address in recipients
                }
            )
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return state


def leaks(records, secrets: set[str]) -> list[str]:
    found = []
    for record in records:
        texts = [record.getMessage(), record.exc_text or "", record.stack_info or ""]
        if record.exc_info and not record.exc_text:
            texts.append(logging.Formatter().formatException(record.exc_info))
        for secret in secrets:
            if any(secret.lower() in text.lower() for text in texts):
                found.append(f"{record.name} {record.levelname}: {secret!r} in {texts[0]!r}")
    return found


def test_a_registration_journey_logs_no_e_mail_or_phone(
    graphql, site_tree, mail_server, all_logs_at_debug, django_capture_on_commit_callbacks
):
    enterprise = factories.EnterprisePageFactory(
        parent=site_tree.enterprise_index,
        contact_name="Ольга Внутренняя",
        contact_email="olga.internal@zavod.example",
        contact_phone="+7 495 700-11-22",
    )
    session = factories.TourSessionFactory(enterprise=enterprise, capacity=2, max_party_size=2)
    other_email, other_phone = "Ivan.Sidorov@Example.NET", "+7 903 444-18-27"

    def run(query, variables):
        with django_capture_on_commit_callbacks(execute=True):
            response = graphql.post(query, variables, REMOTE_ADDR=IP)
        assert response.status_code == 200, response.content
        payload = response.json()
        assert "errors" not in payload, payload
        return payload["data"]

    def register(email, phone, seats):
        values = {
            "sessionId": str(session.pk),
            "name": NAME,
            "email": email,
            "phone": phone,
            "seats": seats,
            "consentToProcessing": True,
            "consentToTransfer": True,
        }
        return run(REGISTER, {"input": values})["registerForSession"]

    def token_for(address):
        message = [m for m in mail.outbox if address.lower() in m.to][-1]
        return re.search(r"token=([0-9a-f]{64})", message.body).group(1)

    def retries_come_due(*minutes):
        for minute in minutes:  # what the worker does as the retries come due
            deliveries.send_due(now=timezone.now() + datetime.timedelta(minutes=minute))

    # Maria holds both seats; the confirmation link mail fails once, then goes out.
    mail_server["disconnect"] = 1
    assert register(TYPED_EMAIL, TYPED_PHONE, 2)["errors"] == []
    retries_come_due(2)
    # The same e-mail again (whatever the answer is, it must not log the address): her
    # letter comes again, with a new link.
    register(TYPED_EMAIL, TYPED_PHONE, 1)
    maria = token_for(TYPED_EMAIL)
    # A malformed phone is refused too.
    assert register("someone@example.org", "12345", 1)["errors"]
    # Ivan joins the waitlist; his mail server refuses him for good (every retry).
    mail_server["refuse"] = 4
    assert register(other_email, other_phone, 1)["waitlisted"] is True
    retries_come_due(2, 10, 60)
    assert run(VIEW, {"token": maria})["registration"]["email"] == TYPED_EMAIL.lower()
    assert run(CONFIRM, {"token": maria})["confirmRegistration"]["errors"] == []
    assert run(CANCEL, {"token": maria})["cancelRegistration"]["errors"] == []  # Ivan promoted
    assert run(CONFIRM, {"token": "0" * 64})["confirmRegistration"]["errors"]

    records = all_logs_at_debug.records
    assert Registration.objects.filter(email=TYPED_EMAIL.lower(), status="cancelled").exists()
    # The journey did log — the sends, the failed attempts — so the check is not vacuous.
    messages = [record.getMessage() for record in records]
    assert any("failed (attempt 1), next at" in m for m in messages), messages
    assert any("failed for good after 4 attempts" in m for m in messages), messages
    assert any(" sent for registration " in m for m in messages), messages

    secrets = needles(TYPED_EMAIL, TYPED_PHONE) | needles(other_email, other_phone)
    secrets |= {NAME, IP, enterprise.contact_email, enterprise.contact_phone}
    found = leaks(records, secrets)
    assert not found, "\n".join(found)
