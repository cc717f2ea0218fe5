"""What every page shows about where to get help: the footer and the home page read it from the
settings (HELP_EMAIL, HELP_PHONE, HELP_HOURS_OPEN, HELP_HOURS_CLOSE)."""

import datetime
import functools
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language


def clock(value: datetime.time) -> str:
    """A time of day as people write it: "9 h", "17 h 30" in French; "9 a.m.", "5:30 p.m." in
    English."""
    if (get_language() or "").startswith("en"):
        hour = value.hour % 12 or 12
        minutes = f":{value.minute:02d}" if value.minute else ""
        return f"{hour}{minutes} {'a.m.' if value.hour < 12 else 'p.m.'}"
    return f"{value.hour} h {value.minute:02d}" if value.minute else f"{value.hour} h"


@dataclass(frozen=True)
class HelpContact:
    email: str
    phone_e164: str
    phone_display: str
    opens: str
    closes: str


@functools.lru_cache(maxsize=8)
def _help_phone(raw: str) -> tuple[str, str]:
    """(E.164, national) of the setting's number, parsed once per value rather than for every page
    (phonenumbers' parse and formats were 1 % of the web's CPU, issue 17)."""
    try:
        phone = phonenumbers.parse(raw, "CA")
        e164 = phonenumbers.format_number(phone, phonenumbers.PhoneNumberFormat.E164)
        return e164, phonenumbers.format_number(phone, phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return raw, raw


def help_contact(request: HttpRequest) -> dict[str, HelpContact]:
    e164, display = _help_phone(settings.HELP_PHONE)
    return {
        "help_contact": HelpContact(
            email=settings.HELP_EMAIL,
            phone_e164=e164,
            phone_display=display,
            opens=clock(datetime.time.fromisoformat(settings.HELP_HOURS_OPEN)),
            closes=clock(datetime.time.fromisoformat(settings.HELP_HOURS_CLOSE)),
        )
    }
