"""Reads of the privacy office."""

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.utils import translation

from accounts.models import Organisation

from .models import ConfidentialityIncident

# The register's columns, in the order of the Regulation respecting confidentiality incidents, s. 7.
INCIDENT_COLUMNS = (
    "id",
    "organisation",
    "kind",
    "information_description",
    "information_undescribable_reason",
    "circumstances",
    "occurred_from",
    "occurred_to",
    "occurred_approximate",
    "known_on",
    "persons_count",
    "persons_count_approximate",
    "risk",
    "risk_sensitivity",
    "risk_consequences",
    "risk_misuse_likelihood",
    "commission_notified_on",
    "persons_notified_on",
    "persons_notice",
    "public_notice_reason",
    "measures",
    "recorded_by",
    "recorded_at",
    "updated_at",
)


def _cell(incident: ConfidentialityIncident, name: str) -> Any:
    field = ConfidentialityIncident._meta.get_field(name)
    value = getattr(incident, name)
    if field.choices:
        return getattr(incident, f"get_{name}_display")()
    if name == "recorded_by":
        return value.email if value else ""
    if isinstance(value, bool):
        return translation.gettext("oui") if value else translation.gettext("non")
    if hasattr(value, "isoformat"):
        return value.isoformat(timespec="minutes") if hasattr(value, "hour") else value.isoformat()
    return value


def incident_register() -> tuple[list[str], Iterator[list[Any]]]:
    """The whole register as a header (the fields' names in the reader's language) and rows, the
    choices written out (the rows store codes)."""
    header = [str(ConfidentialityIncident._meta.get_field(name).verbose_name) for name in INCIDENT_COLUMNS]
    incidents = ConfidentialityIncident.objects.select_related("recorded_by").order_by("known_on", "pk")
    return header, ([_cell(incident, name) for name in INCIDENT_COLUMNS] for incident in incidents.iterator())


def officer_contacts() -> list[dict[str, str]]:
    """Each organisation's person in charge of the protection of personal information, as the
    privacy page shows them (settings.PRIVACY_OFFICERS), the title in the reader's language."""
    english = (translation.get_language() or "").startswith("en")
    return [
        {
            "organisation": str(Organisation(code).label),
            "code": code,
            "title": officer["title_en" if english else "title_fr"],
            "name": officer["name"],
            "email": officer["email"],
        }
        for code, officer in settings.PRIVACY_OFFICERS.items()
    ]
