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


def phone_display(phone) -> str:
    """ "(418) 555-0123" for a Canadian number, "+33 6 12 34 56 78" for another; as typed if invalid."""
    parsed = parsed_phone(phone)
    if parsed is None:
        return str(phone or "")
    return parsed.as_national if parsed.country_code == 1 else parsed.as_international


def phone_href(phone) -> str:
    """ "tel:+14185550123", or "" when the number is not valid (then no link)."""
    parsed = parsed_phone(phone)
    return f"tel:{parsed.as_e164}" if parsed else ""
