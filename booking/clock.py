"""The programme's clock: Moscow time, which is the project's ``TIME_ZONE``.

Admin listings, the series form and the e-mails use it rather than the current time
zone, which Wagtail switches to each editor's admin profile: a list read over the phone
must say the same times as the visitors' e-mails.
"""

import datetime

from django.utils import timezone


def moscow() -> datetime.tzinfo:
    """Moscow's time zone (``settings.TIME_ZONE``), whatever zone the request is in."""
    return timezone.get_default_timezone()


def in_moscow(moment: datetime.datetime) -> datetime.datetime:
    """An aware ``moment`` in Moscow time."""
    return timezone.localtime(moment, moscow())
