"""The iCalendar feeds per territory and per region, parsed back by the rules of RFC 5545:
CRLF endings, lines of at most 75 octets folded with a space, escaped TEXT values, UID and
DTSTAMP on every event, DTSTART/DTEND in Québec's time with its VTIMEZONE."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from activities.ics import escape_text, fold
from activities.services import activity_cancel
from tests.factories import RegionFactory, TerritoryFactory

from .factories import ActivityFactory

pytestmark = pytest.mark.django_db
TORONTO = ZoneInfo("America/Toronto")


def unfold(body: bytes) -> list[str]:
    """The content lines of a calendar, checking the physical lines on the way."""
    text = body.decode("utf-8")
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    for line in physical:
        assert "\n" not in line and "\r" not in line, "a bare LF or CR"
        assert len(line.encode()) <= 75, f"a line longer than 75 octets: {line!r}"
    lines: list[str] = []
    for line in physical:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def parse(body: bytes) -> dict:
    """{"calendar": {...}, "timezones": [...], "events": [{name: (params, value)}]} with the
    components properly nested."""
    stack, calendar, events, timezones = [], {}, [], []
    current: dict | None = None
    for line in unfold(body):
        match = re.match(r"^([A-Z-]+)((?:;[A-Z-]+=[^:;]+)*):(.*)$", line)
        assert match, f"not a content line: {line!r}"
        name, params, value = match[1], match[2], match[3]
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT" or value == "VTIMEZONE":
                current = {}
            continue
        if name == "END":
            assert stack.pop() == value, f"END:{value} closes another component"
            if value == "VEVENT":
                events.append(current)
            elif value == "VTIMEZONE":
                timezones.append(current)
            continue
        parsed = dict(p.split("=", 1) for p in params.strip(";").split(";") if p)
        if stack[-1] == "VCALENDAR":
            calendar[name] = value
        elif stack[-1] in ("VEVENT", "VTIMEZONE"):
            current[name] = (parsed, value)
    assert stack == []
    return {"calendar": calendar, "events": events, "timezones": timezones}


def local(params_value: tuple[dict, str]) -> datetime.datetime:
    params, value = params_value
    assert params == {"TZID": "America/Toronto"}
    return datetime.datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=TORONTO)


def test_a_territory_feed_parses_back_with_its_times_and_escaped_text(client):
    territory = TerritoryFactory()
    summer = datetime.datetime(2027, 7, 14, 9, 30, tzinfo=TORONTO)  # daylight time (UTC−4)
    winter = datetime.datetime(2027, 1, 20, 18, 0, tzinfo=TORONTO)  # standard time (UTC−5)
    long_text = "Rencontres, visites; logement\nGarderie, école, plein air — " + "é" * 80
    stay = ActivityFactory(
        territory=territory,
        starts_at=summer,
        ends_at=summer + datetime.timedelta(days=2, hours=8),
        registration_deadline=summer - datetime.timedelta(days=7),
        cancellation_deadline=summer - datetime.timedelta(days=2),
        title_fr="Séjour, découverte; Gaspésie",
        description_fr=long_text,
        online_url="https://secret.example.org/lien",
        place="",
    )
    evening = ActivityFactory(
        territory=territory,
        starts_at=winter,
        ends_at=winter + datetime.timedelta(hours=2),
        registration_deadline=winter - datetime.timedelta(days=1),
        cancellation_deadline=winter,
    )
    ActivityFactory()  # another territory's

    response = client.get(reverse("activities:territory_feed", args=[territory.code]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = parse(response.content)
    assert calendar["calendar"]["VERSION"] == "2.0" and calendar["calendar"]["PRODID"]
    [timezone] = calendar["timezones"]
    assert timezone["TZID"][1] == "America/Toronto"
    events = {event["UID"][1]: event for event in calendar["events"]}
    assert len(events) == 2 and all(uid.startswith("activity-") for uid in events)
    first = next(e for e in calendar["events"] if e["UID"][1].startswith(f"activity-{stay.pk}@"))
    assert local(first["DTSTART"]) == stay.starts_at and local(first["DTEND"]) == stay.ends_at
    assert first["DTSTART"][1] == "20270714T093000"
    assert re.fullmatch(r"\d{8}T\d{6}Z", first["DTSTAMP"][1])
    assert int(first["SEQUENCE"][1]) >= 0
    assert unescape(first["SUMMARY"][1]) == "Séjour, découverte; Gaspésie"
    assert unescape(first["DESCRIPTION"][1]) == long_text
    assert "secret.example.org" not in response.content.decode()  # the online link is for registrants
    second = next(e for e in calendar["events"] if e["UID"][1].startswith(f"activity-{evening.pk}@"))
    assert second["DTSTART"][1] == "20270120T180000"
    assert local(second["DTSTART"]) == evening.starts_at


def test_a_region_feed_has_its_territories_activities_and_leaves_a_cancelled_one_out(client):
    region = RegionFactory(code="11")
    here, there = TerritoryFactory(region=region), TerritoryFactory(region=region)
    kept, cancelled = ActivityFactory(territory=here), ActivityFactory(territory=there)
    ActivityFactory(territory=TerritoryFactory(region=RegionFactory(code="01")))
    activity_cancel(activity=cancelled, by=None)

    response = client.get(reverse("activities:region_feed", args=["11"]))

    events = parse(response.content)["events"]
    assert [e["UID"][1].split("@")[0] for e in events] == [f"activity-{kept.pk}"]
    assert client.get(reverse("activities:region_feed", args=["99"])).status_code == 404


def test_folding_never_cuts_a_character_and_escaping_is_reversible():
    line = "DESCRIPTION:" + "à" * 100
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    text = "a,b;c\\d\ne"
    assert escape_text(text) == "a\\,b\\;c\\\\d\\ne"
    assert unescape(escape_text(text)) == text


def test_one_activity_as_an_ics_file_without_its_online_link(client):
    activity = ActivityFactory(online_url="https://secret.example.org/lien")
    response = client.get(reverse("activities:activity_ics", args=[activity.pk]))
    [event] = parse(response.content)["events"]
    assert event["UID"][1].startswith(f"activity-{activity.pk}@")
    assert "secret.example.org" not in response.content.decode()
    activity.status = "cancelled"
    activity.save()
    assert client.get(reverse("activities:activity_ics", args=[activity.pk])).status_code == 404
