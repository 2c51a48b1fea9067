"""A booking that cannot get the session lock in time answers BUSY and changes nothing."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from booking import services
from booking.models import Registration, TourSession

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_waiting_too_long_for_the_lock_is_busy(session, make_request, settings):
    settings.BOOKING_LOCK_TIMEOUT_SECONDS = 1
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with transaction.atomic():
                TourSession.objects.select_for_update().get(pk=session.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with pytest.raises(ValidationError) as excinfo:
            services.register(make_request())
        assert excinfo.value.error_list[0].code == "BUSY"
    finally:
        release.set()
        holder.join()
    assert not Registration.objects.exists()
    assert services.register(make_request()).created  # and it works once the lock is free
