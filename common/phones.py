"""Phone numbers as people read and dial them: national format for a Canadian number, the
international one otherwise, and a tel: link in E.164 (the template filters in
common/templatetags/phones.py, and forms' initial values)."""

from phonenumber_field.phonenumber import PhoneNumber
from phonenumbers import NumberParseException


def parsed_phone(phone) -> PhoneNumber | None:
    if not phone:
        return None
    if not isinstance(phone, PhoneNumber):
        try:
            phone = PhoneNumber.from_string(str(phone), region="CA")
        except NumberParseException:
            return None
    return phone if phone.is_valid() else None


def _readings(phone) -> tuple[str, str]:
    """(display, href) of a number, worked out by phonenumbers: its validation and formats run
    regular expressions, and a file page asked for them four times (issue 17)."""
    parsed = parsed_phone(phone)
    if parsed is None:
        return str(phone or ""), ""
    display = parsed.as_national if parsed.country_code == 1 else parsed.as_international
    return display, f"tel:{parsed.as_e164}"


# A number's readings, once per process for each number: the key holds every field they depend on.
_KEPT: dict = {}
KEPT_MAX = 10_000


def _kept_readings(phone) -> tuple[str, str]:
    if isinstance(phone, PhoneNumber):
        key = (
            PhoneNumber,
            phone.country_code,
            phone.national_number,
            phone.extension,
            phone.italian_leading_zero,
            phone.number_of_leading_zeros,
            phone.raw_input,
        )
    elif phone is None or isinstance(phone, str):
        key = phone
    else:
        return _readings(phone)
    readings = _KEPT.get(key)
    if readings is None:
        if len(_KEPT) >= KEPT_MAX:
            _KEPT.clear()
        readings = _KEPT[key] = _readings(phone)
    return readings


def phone_display(phone) -> str:
    """ "(418) 555-0123" for a Canadian number, "+33 6 12 34 56 78" for another; as typed if invalid;
    "" for none (so a template can test it instead of the number, whose truth formats it)."""
    return _kept_readings(phone)[0]


def phone_href(phone) -> str:
    """ "tel:+14185550123", or "" when the number is not valid (then no link)."""
    return _kept_readings(phone)[1]
