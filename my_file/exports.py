"""The export of everything a person gave us and where their file stands (Québec's Law 25: access
and portability): a ZIP of the data as JSON and as CSV, with the CV."""

import datetime
import json

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from activities.models import Registration
from candidates.files import cv_content
from candidates.models import Candidate, CandidateTarget, TerritoryProposal
from common.exports import csv_text, zip_bytes
from referrals.models import ReferralStatus

from .timeline import INTERNAL_EVENT_KINDS, TIMELINE_PREFETCHES, candidate_consent_history, candidate_timeline

# Fields of Candidate that are not part of what the person gave: internal links and bookkeeping.
# The CV file's storage name is random and internal; its original file name (cv_filename) is exported.
EXPORT_EXCLUDED_FIELDS = frozenset(
    {"id", "user", "counsellor", "cv", "registration_step", "anonymized_at", "updated_at"}
)


# Where a field's own name is ambiguous out of its form ("nom" reads "name" in English).
PROFILE_LABELS = {"last_name": gettext_lazy("nom de famille")}
CSV_HEADER = [gettext_lazy("champ"), gettext_lazy("libellé"), gettext_lazy("valeur")]


def _json_value(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if hasattr(value, "code") and hasattr(value, "name"):  # django-countries' Country
        return value.code or ""
    return str(value)


def _text_value(candidate: Candidate, field) -> str:
    """The value as a person reads it: choices by their label, yes/no, dates in ISO 8601."""
    value = field.value_from_object(candidate)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(getattr(candidate, f"get_{field.name}_display")())
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if hasattr(value, "code") and hasattr(value, "name"):
        return str(value.name)
    return str(_json_value(value))


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def candidate_export_data(candidate: Candidate) -> dict:
    """Everything the person gave us and where their file stands, as plain JSON-ready data (Québec's
    Law 25, right to portability). Staff's internal writing (messages, reasons, notes) is left out;
    the CV appears by its file name. A fixed number of queries."""
    candidate = (
        Candidate.objects.select_related("user")
        .prefetch_related(
            Prefetch("targets", queryset=CandidateTarget.objects.select_related("territory__region")),
            Prefetch("territory_proposals", queryset=TerritoryProposal.objects.select_related("territory__region")),
            *TIMELINE_PREFETCHES,
        )
        .get(pk=candidate.pk)
    )
    profile = {}
    for field in candidate._meta.concrete_fields:
        if field.name in EXPORT_EXCLUDED_FIELDS:
            continue
        profile[field.name] = {
            "label": str(PROFILE_LABELS.get(field.name, field.verbose_name)),
            "value": _json_value(field.value_from_object(candidate)),
            "text": _text_value(candidate, field),
        }
    user = candidate.user
    account = (
        {
            "email": user.email,
            "language": user.language,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        }
        if user
        else None
    )
    referrals = []
    for referral in sorted(candidate.referrals.all(), key=lambda r: (r.created_at, r.pk)):
        agent = referral.answered_by if referral.status == ReferralStatus.ACCEPTED else None
        referrals.append(
            {
                "territory": referral.territory.name,
                "territory_code": referral.territory.code,
                "status": referral.status,
                "status_label": str(referral.get_status_display()),
                "sent_at": _iso(referral.created_at),
                "expires_at": _iso(referral.expires_at),
                "answered_at": _iso(referral.answered_at),
                "agent": {"name": str(agent), "email": agent.email, "phone": agent.phone} if agent else None,
                "transitions": [
                    {"from_status": t.from_status, "to_status": t.to_status, "at": _iso(t.created_at)}
                    for t in referral.transitions.all()
                ],
            }
        )
    return {
        "format": "pajr-mon-dossier",
        "format_version": 1,
        "exported_at": timezone.now().isoformat(),
        "account": account,
        "profile": profile,
        "targets": [
            {
                "rank": target.rank,
                "territory": target.territory.name,
                "territory_code": target.territory.code,
                "region": target.territory.region.name,
            }
            for target in candidate.targets.all()
        ],
        "consents": [
            {
                "purpose": consent.purpose,
                "purpose_label": str(consent.get_purpose_display()),
                "granted": consent.granted,
                "text_version": consent.text_version,
                "method": consent.method,
                "method_label": str(consent.get_method_display()),
                "created_at": _iso(consent.created_at),
            }
            for consent in candidate_consent_history(candidate)
        ],
        "timeline": [{"at": _iso(entry.at), "label": entry.label} for entry in candidate_timeline(candidate)],
        "events": [
            {
                "kind": event.kind,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "at": _iso(event.created_at),
            }
            for event in candidate.events.all()
            if event.kind not in INTERNAL_EVENT_KINDS
        ],
        "referrals": referrals,
        # The territories their counsellor proposed, with the message addressed to them.
        "territory_proposals": [
            {
                "territory": proposal.territory.name,
                "territory_code": proposal.territory.code,
                "region": proposal.territory.region.name,
                "message": proposal.message,
                "status": proposal.status,
                "status_label": str(proposal.get_status_display()),
                "created_at": _iso(proposal.created_at),
                "answered_at": _iso(proposal.answered_at),
            }
            for proposal in candidate.territory_proposals.all()
        ],
        "activities": [
            {
                "activity": registration.activity.title_fr,
                "territory": registration.activity.territory.name,
                "starts_at": _iso(registration.activity.starts_at),
                "status": registration.status,
                "status_label": str(registration.get_status_display()),
                "attended": registration.attended,
                "created_at": _iso(registration.created_at),
            }
            for registration in Registration.objects.filter(candidate=candidate)
            .select_related("activity__territory")
            .order_by("created_at", "pk")
        ],
    }


CSV_SECTION_LABELS = {
    "account": gettext_lazy("Compte"),
    "targets": gettext_lazy("Territoire visé"),
    "consents": gettext_lazy("Consentement"),
    "timeline": gettext_lazy("Suivi du dossier"),
    "events": gettext_lazy("Événement du dossier"),
    "referrals": gettext_lazy("Orientation"),
    "territory_proposals": gettext_lazy("Territoire proposé"),
    "activities": gettext_lazy("Activité"),
}
CSV_KEY_LABELS = {
    "email": gettext_lazy("courriel"),
    "language": gettext_lazy("langue"),
    "date_joined": gettext_lazy("compte créé le"),
    "last_login": gettext_lazy("dernière connexion"),
    "rank": gettext_lazy("rang"),
    "territory": gettext_lazy("territoire"),
    "territory_code": gettext_lazy("code du territoire"),
    "region": gettext_lazy("région"),
    "purpose": gettext_lazy("finalité"),
    "purpose_label": gettext_lazy("finalité (libellé)"),
    "granted": gettext_lazy("donné"),
    "text_version": gettext_lazy("version du texte"),
    "method": gettext_lazy("moyen"),
    "method_label": gettext_lazy("moyen (libellé)"),
    "created_at": gettext_lazy("date"),
    "at": gettext_lazy("date"),
    "label": gettext_lazy("description"),
    "kind": gettext_lazy("type"),
    "from_status": gettext_lazy("statut avant"),
    "to_status": gettext_lazy("statut après"),
    "status": gettext_lazy("statut"),
    "status_label": gettext_lazy("statut (libellé)"),
    "sent_at": gettext_lazy("envoyée le"),
    "expires_at": gettext_lazy("réponse attendue avant le"),
    "answered_at": gettext_lazy("réponse le"),
    "agent": gettext_lazy("agent·e"),
    "name": gettext_lazy("nom"),
    "phone": gettext_lazy("téléphone"),
    "transitions": gettext_lazy("étape"),
    "message": gettext_lazy("message"),
    "activity": gettext_lazy("activité"),
    "starts_at": gettext_lazy("début"),
    "attended": gettext_lazy("présent·e"),
}


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    return str(value)


def _csv_flatten(field: str, label: str, value) -> list[tuple[str, str, str]]:
    if isinstance(value, dict):
        rows = []
        for key, item in value.items():
            rows += _csv_flatten(f"{field}.{key}", f"{label} – {CSV_KEY_LABELS.get(key, key)}", item)
        return rows
    if isinstance(value, list):
        rows = []
        for number, item in enumerate(value, start=1):
            rows += _csv_flatten(f"{field}.{number}", f"{label} {number}", item)
        return rows
    return [(field, label, _csv_text(value))]


def export_csv_rows(data: dict) -> list[tuple[str, str, str]]:
    """One row per field (field, label, value): the profile by its labels and human-readable values,
    then the other sections flattened with dotted field names (targets.1.territory)."""
    rows = [(name, item["label"], item["text"]) for name, item in data["profile"].items()]
    for section, label in CSV_SECTION_LABELS.items():
        rows += _csv_flatten(section, str(label), data[section])
    return rows


def candidate_export_zip(candidate: Candidate) -> bytes:
    """mon-dossier.json, mon-dossier.csv (one row per field) and the CV under cv/; the files' names
    and the CSV's header in the reader's language (my-file.json… in English), the JSON's keys
    always the same."""
    data = candidate_export_data(candidate)
    name = pgettext("nom de fichier", "mon-dossier")
    files: list[tuple[str, str | bytes]] = [
        (f"{name}.json", json.dumps(data, ensure_ascii=False, indent=2)),
        (f"{name}.csv", csv_text([str(name) for name in CSV_HEADER], export_csv_rows(data))),
    ]
    if cv := cv_content(candidate):
        files.append((f"cv/{cv[0]}", cv[1]))
    return zip_bytes(files)
