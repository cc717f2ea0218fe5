"""iCalendar (RFC 5545) for the activities, written by hand: a calendar is a few lines of text.
CRLF line endings, lines folded at 75 octets (never inside a UTF-8 character), TEXT values
escaped, times in Québec's time with their VTIMEZONE (America/Toronto, the tz database's name
for Montréal's time, whose rules since 2007 are those below)."""

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from .models import Activity, ActivityStatus

TZID = "America/Toronto"
PRODID = "-//Place aux jeunes en région//Activités//FR"
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:-0500",
    "TZOFFSETTO:-0400",
    "TZNAME:EDT",
    "DTSTART:19700308T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:-0400",
    "TZOFFSETTO:-0500",
    "TZNAME:EST",
    "DTSTART:19701101T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line folded at 75 octets (RFC 5545 3.1): each continuation starts with a space,
    which counts in its 75 octets; a multi-byte character is never cut."""
    parts: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # the leading space takes one octet
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def local_time(moment: datetime) -> str:
    return timezone.localtime(moment, ZoneInfo(TZID)).strftime("%Y%m%dT%H%M%S")


def utc_time(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "pajr.localhost"


def activity_uid(activity: Activity) -> str:
    return f"activity-{activity.pk}@{_host()}"


def _event(activity: Activity, *, stamp: datetime, online_link: bool) -> list[str]:
    url = settings.SITE_URL.rstrip("/") + reverse("activities:detail", args=[activity.pk])
    description = activity.description
    if activity.online_url and online_link:
        description = f"{description}\n\n{activity.online_url}"
    lines = [
        "BEGIN:VEVENT",
        f"UID:{activity_uid(activity)}",
        f"DTSTAMP:{utc_time(stamp)}",
        f"DTSTART;TZID={TZID}:{local_time(activity.starts_at)}",
        f"DTEND;TZID={TZID}:{local_time(activity.ends_at)}",
        f"SUMMARY:{escape_text(activity.title)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"URL:{url}",
        "STATUS:" + ("CANCELLED" if activity.status == ActivityStatus.CANCELLED else "CONFIRMED"),
    ]
    if activity.created_at and activity.updated_at:
        # Grows with each change, so that a calendar replaces the event it already has (same UID).
        lines.append(f"SEQUENCE:{max(int((activity.updated_at - activity.created_at).total_seconds()), 0)}")
        lines.append(f"LAST-MODIFIED:{utc_time(activity.updated_at)}")
    if location := activity.place or (activity.online_url if online_link else ""):
        lines.append(f"LOCATION:{escape_text(location)}")
    lines.append("END:VEVENT")
    return lines


def calendar(activities: Iterable[Activity], *, name: str, language: str = "fr", online_link: bool = False) -> str:
    """A VCALENDAR with the activities, in `language` (titles and descriptions). The link of an
    online meeting is for the registrants only (`online_link`), never in the public feeds."""
    stamp = timezone.now()
    with translation.override(language):
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            f"PRODID:{PRODID}",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            f"X-WR-CALNAME:{escape_text(name)}",
            f"X-WR-TIMEZONE:{TZID}",
            *VTIMEZONE,
        ]
        for activity in activities:
            lines.extend(_event(activity, stamp=stamp, online_link=online_link))
        lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
