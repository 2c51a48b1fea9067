"""iCalendar (RFC 5545) files for confirmed registrations, written by hand.

One VEVENT per file, times in UTC (``…Z``) so no VTIMEZONE block is needed. The UID is
stable per registration, so the reminder's file updates the event the confirmation
added instead of creating a second one.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

PRODID = "-//Open Mosprom//Booking//RU"
CRLF = "\r\n"
MAX_LINE_OCTETS = 75  # RFC 5545 §3.1, not counting the CRLF


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""


def registration_uid(registration_pk: int) -> str:
    """``registration-<pk>@<CMS host>``: globally unique and the same in every e-mail."""
    host = urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"
    return f"registration-{registration_pk}@{host}"


def escape_text(value: str) -> str:
    """Escape a TEXT value (§3.3.11): backslash first, then ``;`` ``,`` and newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def format_utc(moment: datetime.datetime) -> str:
    """An aware datetime as a UTC DATE-TIME, e.g. ``20251118T080000Z``."""
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets joined by CRLF + space.

    Counts UTF-8 octets, not characters (Cyrillic takes two), and never splits a
    character; a continuation line's leading space counts towards its 75.
    """
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    limit = MAX_LINE_OCTETS
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            chunks.append("".join(current))
            current, size, limit = [], 0, MAX_LINE_OCTETS - 1
        current.append(char)
        size += octets
    chunks.append("".join(current))
    return (CRLF + " ").join(chunks)


def render_calendar(event: CalendarEvent, now: datetime.datetime | None = None) -> str:
    """A complete VCALENDAR (METHOD:PUBLISH) holding ``event``, with CRLF line endings."""
    properties = [
        ("BEGIN", "VCALENDAR"),
        ("VERSION", "2.0"),
        ("PRODID", PRODID),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
        ("BEGIN", "VEVENT"),
        ("UID", event.uid),
        ("DTSTAMP", format_utc(now or timezone.now())),
        ("DTSTART", format_utc(event.starts_at)),
        ("DTEND", format_utc(event.ends_at)),
        ("SUMMARY", escape_text(event.summary)),
    ]
    if event.location:
        properties.append(("LOCATION", escape_text(event.location)))
    if event.description:
        properties.append(("DESCRIPTION", escape_text(event.description)))
    if event.url:
        # URL is a URI value, not TEXT: it is written as is, without TEXT escaping.
        properties.append(("URL", event.url))
    properties += [("STATUS", "CONFIRMED"), ("END", "VEVENT"), ("END", "VCALENDAR")]
    return "".join(fold(f"{name}:{value}") + CRLF for name, value in properties)
