import pytest

from booking.services import RegistrationRequest
from tests import factories


@pytest.fixture
def enterprise(site_tree):
    return factories.EnterprisePageFactory(parent=site_tree.enterprise_index, title="ПАО «Ил»")


@pytest.fixture
def session(enterprise):
    return factories.TourSessionFactory(enterprise=enterprise, capacity=5, max_party_size=4)


@pytest.fixture
def make_request(session):
    """A valid registration request for ``session``; override any field."""
    counter = iter(range(10_000))

    def build(**overrides) -> RegistrationRequest:
        n = next(counter)
        values = {
            "session_id": session.pk,
            "name": f"Анна Иванова {n}",
            "email": f"anna{n}@example.org",
            "phone": "+7 900 123-45-67",
            "seats": 1,
            "consent_to_processing": True,
            "consent_to_transfer": True,
            "ip_address": "203.0.113.5",
        }
        values.update(overrides)
        return RegistrationRequest(**values)

    return build
