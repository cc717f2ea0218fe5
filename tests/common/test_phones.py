"""common.phones: a number's display and link, kept per number, are what phonenumbers works out
for it each time; the help line in every page's footer follows its setting."""

import pytest
from django.test import RequestFactory
from phonenumber_field.phonenumber import PhoneNumber

from common import phones
from common.context_processors import help_contact

NUMBERS = [
    None,
    "",
    "418 555-0123",
    "+1 418 555 0123",
    "+33 6 12 34 56 78",
    "123",
    "pas un numéro",
    "+1 418 555 0123 ext. 204",
]


def _as_phonenumbers(raw):
    try:
        return PhoneNumber.from_string(raw, region="CA")
    except Exception:
        return None


CASES = [*NUMBERS, *(number for raw in NUMBERS if raw and (number := _as_phonenumbers(raw)) is not None)]


@pytest.mark.parametrize("phone", CASES, ids=repr)
def test_the_kept_readings_are_the_computed_ones(phone):
    phones._KEPT.clear()
    computed = phones._readings(phone)
    assert (phones.phone_display(phone), phones.phone_href(phone)) == computed  # computed, then kept
    assert phones._KEPT  # kept
    assert (phones.phone_display(phone), phones.phone_href(phone)) == computed  # read from what was kept


def test_two_numbers_never_share_readings():
    phones._KEPT.clear()
    first, second = PhoneNumber.from_string("418 555-0123", region="CA"), PhoneNumber.from_string("+33612345678")
    assert phones.phone_display(first) == "(418) 555-0123"
    assert phones.phone_display(second) == "+33 6 12 34 56 78"
    with_extension = PhoneNumber.from_string("+1 418 555 0123 ext. 204")
    assert phones.phone_href(with_extension) == "tel:+14185550123"
    assert phones.phone_display(with_extension) == "(418) 555-0123 ext. 204"
    assert phones.phone_display("418 555-0123") == "(418) 555-0123"
    assert phones.phone_display("pas un numéro") == "pas un numéro" and phones.phone_href("pas un numéro") == ""
    assert phones.phone_display(None) == phones.phone_display("") == ""


def test_the_kept_readings_stay_bounded(monkeypatch):
    monkeypatch.setattr(phones, "KEPT_MAX", 5)
    phones._KEPT.clear()
    for number in range(20):
        phones.phone_display(f"418 555-{number:04d}")
    assert len(phones._KEPT) <= 5


def test_the_help_line_follows_its_setting(settings):
    request = RequestFactory().get("/")
    settings.HELP_PHONE = "+1 514 555 0199"
    assert help_contact(request)["help_contact"].phone_display == "(514) 555-0199"
    settings.HELP_PHONE = "+1 418 555 0123"
    contact = help_contact(request)["help_contact"]
    assert (contact.phone_display, contact.phone_e164) == ("(418) 555-0123", "+14185550123")
    settings.HELP_PHONE = "pas un numéro"
    assert help_contact(request)["help_contact"].phone_display == "pas un numéro"
