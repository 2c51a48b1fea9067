import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from booking.models import Registration
from tests import factories


def run(*jobs) -> str:
    out = StringIO()
    call_command("booking_jobs", *jobs, stdout=out)
    return out.getvalue()


def test_jobs_run_and_are_idempotent(session):
    factories.RegistrationFactory(
        session=session,
        status=Registration.Status.PENDING,
        hold_expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    assert "expire-holds: просроченных броней снято: 1" in run()
    assert "expire-holds: просроченных броней снято: 0" in run("expire-holds")
    assert Registration.objects.get().status == Registration.Status.EXPIRED


def test_unknown_job_is_refused(db):
    with pytest.raises(CommandError):
        run("everything")
