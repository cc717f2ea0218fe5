"""An access request (P-39.1, s. 27): everything the platform holds on one person, for the privacy
officer to send them — the file, the account, consents with the words agreed to, the history
with its notes, counsellors' notes, referrals with their messages, reasons and follow-up notes,
the emails, and the log of who read the file — as a ZIP of JSON and CSV files, with the CV.

Every row is written with all its fields (a field added later is exported without a change
here); ids of people other than the person are replaced by who they are."""

import datetime
import json
from collections.abc import Iterable

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from candidates.files import cv_content
from candidates.history import event_text, territory_names
from candidates.models import (
    Candidate,
    CandidateEvent,
    CandidateTarget,
    CoachingNote,
    Consent,
    FileAccess,
    MaturityAssessment,
)
from common.exports import csv_text, zip_bytes
from notifications.models import OutboxEmail
from referrals.history import transition_text
from referrals.models import FollowUp, Referral, ReferralLink, ReferralTransition

# Never exported: secrets and storage internals, not information about the person.
SECRET_FIELDS = frozenset({"password", "token_hash", "session_epoch", "key", "body", "html", "cv"})


def _value(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return value
    if hasattr(value, "code") and hasattr(value, "name"):  # django-countries
        return value.code or ""
    return str(value)


def _who(obj) -> str | None:
    """Staff, agents and territories by who they are, not by an internal id."""
    if obj is None:
        return None
    if isinstance(obj, User):
        return f"{obj.get_full_name() or obj.email} ({obj.get_role_display()})"
    return str(obj)


def _row(instance: models.Model, **extra) -> dict:
    row = {}
    for field in instance._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            continue
        if field.is_relation:
            related = getattr(instance, field.name)
            row[field.name] = related.pk if isinstance(related, Candidate | Referral) else _who(related)
        else:
            row[field.name] = _value(field.value_from_object(instance))
    return {**row, **extra}


def access_request_data(candidate: Candidate) -> dict[str, list[dict]]:
    """Every row about the person, by section (each a list of rows)."""
    candidate = Candidate.objects.select_related("user", "counsellor").get(pk=candidate.pk)
    user = candidate.user
    events = list(CandidateEvent.objects.filter(candidate=candidate).select_related("actor").order_by("created_at"))
    names = territory_names(events)
    referrals = list(
        Referral.objects.filter(candidate=candidate).select_related("territory", "sent_by", "answered_by__user")
    )
    referral_ids = [referral.pk for referral in referrals]
    addresses = {candidate.email} | ({user.email} if user else set())
    emails = OutboxEmail.objects.filter(
        Q(recipient__in=addresses) | Q(context__candidate=candidate.pk) | Q(context__referral__in=referral_ids)
    ).order_by("created_at")
    return {
        "file": [_row(candidate)],
        "account": [_row(user)] if user else [],
        "email_addresses": [_row(address) for address in EmailAddress.objects.filter(user=user)] if user else [],
        "sessions": [_row(session) for session in UserSession.objects.filter(user=user)] if user else [],
        "territories_chosen": [
            _row(target) for target in CandidateTarget.objects.filter(candidate=candidate).select_related("territory")
        ],
        "consents": [
            _row(consent, wording=consent.text.text if consent.text_id else "")
            for consent in Consent.objects.filter(candidate=candidate).select_related("text").order_by("created_at")
        ],
        "history": [_row(event, text=event_text(event, names)) for event in events],
        "coaching_notes": [
            _row(note) for note in CoachingNote.objects.filter(candidate=candidate).select_related("author")
        ],
        "maturity": [
            _row(assessment)
            for assessment in MaturityAssessment.objects.filter(candidate=candidate).select_related("mature_by")
        ],
        "referrals": [_row(referral) for referral in referrals],
        "referral_history": [
            _row(transition, text=transition_text(transition))
            for transition in ReferralTransition.objects.filter(referral_id__in=referral_ids)
            .select_related("by_user", "by_agent")
            .order_by("created_at")
        ],
        "referral_links": [
            _row(link) for link in ReferralLink.objects.filter(referral_id__in=referral_ids).select_related("agent")
        ],
        "follow_ups": [
            _row(follow_up)
            for follow_up in FollowUp.objects.filter(referral_id__in=referral_ids).select_related("by_agent")
        ],
        "emails": [_row(email) for email in emails],
        "access_log": [
            _row(access)
            for access in FileAccess.objects.filter(candidate=candidate).select_related("user", "agent").order_by("at")
        ],
    }


def _csv(rows: list[dict]) -> str:
    header = list(dict.fromkeys(key for row in rows for key in row))
    return csv_text(header, ([_cell(row.get(key)) for key in header] for row in rows))


def _cell(value) -> str | int | float | None:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _readme(candidate: Candidate, sections: Iterable[str], cv_name: str | None) -> str:
    lines = [
        _("Demande d'accès : tout ce que la plateforme détient sur le dossier n° %(pk)s, au %(date)s.")
        % {"pk": candidate.pk, "date": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        "",
        _("dossier.json : toutes les sections; un fichier CSV par section, pour un tableur :"),
        *(f"- {section}.csv" for section in sections),
    ]
    if cv_name:
        lines.append(_("CV : %(name)s") % {"name": cv_name})
    return "\n".join(lines) + "\n"


def access_request_zip(candidate: Candidate) -> bytes:
    data = access_request_data(candidate)
    cv = cv_content(candidate)
    files: list[tuple[str, str | bytes]] = [
        ("LISEZ-MOI.txt", _readme(candidate, data, cv and cv[0])),
        ("dossier.json", json.dumps(data, ensure_ascii=False, indent=2)),
    ]
    files += [(f"{section}.csv", _csv(rows)) for section, rows in data.items() if rows]
    if cv:
        files.append((f"cv/{cv[0]}", cv[1]))
    return zip_bytes(files)
