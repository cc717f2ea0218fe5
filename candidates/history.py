"""The file's history put into words when it is read, in the reader's language: each event is
stored as a code and its parameters (territory ids, names, dates), never as a sentence."""

import datetime
from collections.abc import Iterable, Mapping

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from territories.models import Territory

from .choices import AnonymizationReason, CloseReason, EventCode
from .models import CandidateEvent

E = EventCode


def _territory_ids(event: CandidateEvent) -> list[int]:
    params = event.params or {}
    ids = list(params.get("territories") or [])
    ids += [params[key] for key in ("territory",) if params.get(key)]
    ids += list(params.get("left_out") or [])
    return [pk for pk in ids if isinstance(pk, int)]


def territory_names(events: Iterable[CandidateEvent]) -> dict[int, str]:
    """The names of every territory the events name, in one query (none when they name none)."""
    ids = {pk for event in events for pk in _territory_ids(event)}
    return dict(Territory.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def _date(value: str) -> str:
    try:
        return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):
        return str(value or "")


def _follow_up_step_label(step: str) -> str:
    # The follow-up steps are the referrals app's codes (a layer above): their labels are here as
    # the same msgids, so that the candidates app renders them without importing upwards.
    labels = {
        "first_contact": _("Premier contact fait"),
        "exploratory_stay": _("Séjour exploratoire"),
        "job_found": _("Emploi trouvé"),
        "moved": _("Déménagement en région"),
        "settled": _("Établi·e dans la région"),
        "checkin_3": _("Suivi 3 mois après le déménagement"),
        "checkin_6": _("Suivi 6 mois après le déménagement"),
        "checkin_12": _("Suivi 12 mois après le déménagement"),
        "closed": _("Suivi terminé"),
    }
    return labels.get(step, step)


def event_text(event: CandidateEvent, territories: Mapping[int, str]) -> str:
    """Why the event happened, in words (empty when its code says nothing more than its kind)."""
    params = event.params or {}

    def territory(pk) -> str:
        return territories.get(pk, _("territoire n° %(pk)s") % {"pk": pk})

    code = event.code
    if code == E.TAKEN_ON:
        return _("Pris·e en charge par %(counsellor)s") % {"counsellor": params.get("counsellor", "—")}
    if code == E.ASSIGNED:
        return _("Assigné·e à %(counsellor)s") % {"counsellor": params.get("counsellor", "—")}
    if code == E.REASSIGNED:
        return f"{params.get('previous', '—')} → {params.get('counsellor', '—')}"
    if code == E.COACHING_CONSENT_WITHDRAWN:
        return _("Consentement à l'accompagnement par EER retiré par la personne")
    if code == E.ACCOUNT_DELETED:
        return _("Compte supprimé par la personne")
    if code == E.ANONYMIZED:
        reason = params.get("reason", "")
        return str(AnonymizationReason(reason).label) if reason in AnonymizationReason.values else ""
    if code == E.CLOSED:
        reason = params.get("reason", "")
        return str(CloseReason(reason).label) if reason in CloseReason.values else ""
    if code == E.MERGED:
        text = _("Dossier n° %(merged)s fusionné dans le dossier n° %(kept)s") % {
            "merged": params.get("merged"),
            "kept": params.get("kept"),
        }
        if left_out := params.get("left_out"):
            text += ". " + _("Territoires visés non repris (trois au plus) : %(territories)s") % {
                "territories": ", ".join(territory(pk) for pk in left_out)
            }
        return text
    if code == E.REFERRED:
        return " → ".join(territory(pk) for pk in params.get("territories", []))
    if code in (E.PASSED_ON, E.REFERRAL_WITHDRAWN):
        return territory(params.get("territory"))
    if code == E.LIST_EXHAUSTED:
        return _("Liste de territoires épuisée")
    if code == E.REFERRAL_ACCEPTED:
        return f"{territory(params.get('territory'))} — {params.get('agent', '')}".rstrip(" —")
    if code == E.FOLLOW_UP:
        parts = []
        if step := params.get("step"):
            parts.append(
                _("%(step)s : %(date)s") % {"step": _follow_up_step_label(step), "date": _date(params.get("date"))}
            )
        parts.append(f"{territory(params.get('territory'))} — {params.get('by', '')}".rstrip(" —"))
        return " · ".join(parts)
    proposal_texts = {
        E.TERRITORY_PROPOSED: _("%(territory)s, proposé à la personne"),
        E.PROPOSAL_ACCEPTED: _("%(territory)s, accepté par la personne"),
        E.PROPOSAL_DECLINED: _("%(territory)s, refusé par la personne"),
        E.PROPOSAL_WITHDRAWN: _("%(territory)s, proposition retirée"),
    }
    if code in proposal_texts:
        return proposal_texts[code] % {"territory": territory(params.get("territory"))}
    if code == E.REGION_EXPLORED:
        return _("Séjour exploratoire : %(date)s · %(territory)s") % {
            "date": _date(params.get("date")),
            "territory": territory(params.get("territory")),
        }
    if code == E.AGENT_REFERRAL:
        names = ", ".join(territory(pk) for pk in params.get("territories", []))
        who = params.get("agent", "")
        if email := params.get("agent_email"):
            who = f"{who} ({email})"
        return f"{who} — {names}" if names else who
    return ""


def with_texts(events: Iterable[CandidateEvent]) -> list[CandidateEvent]:
    """The events, each with `text` (event_text), reading the territories they name in one query."""
    events = list(events)
    territories = territory_names(events)
    for event in events:
        event.text = event_text(event, territories)
    return events


def _is_the_step_of(event: CandidateEvent, status_change: CandidateEvent) -> bool:
    params, changed = event.params or {}, status_change.params or {}
    return (
        event.kind == CandidateEvent.Kind.FOLLOW_UP
        and status_change.kind == CandidateEvent.Kind.STATUS_CHANGED
        and status_change.code == E.FOLLOW_UP
        and "step" not in changed
        and event.actor_id == status_change.actor_id
        and params.get("territory") == changed.get("territory")
    )


def history_lines(events: Iterable[CandidateEvent]) -> list[CandidateEvent]:
    """The file's history as people read it: with_texts, one line per thing that happened.

    A follow-up step that moves the file (the move, settling) is stored as two events, written
    together by referrals' follow_up_record: the change of status, then the step (which the
    statistics and the candidate's own timeline read apart). Read as one line, the change of
    status carrying the step and its date, instead of the same follow-up twice."""
    lines: list[CandidateEvent] = []
    for event in events:
        previous = lines[-1] if lines else None
        if previous is not None and _is_the_step_of(event, previous):
            previous.params = {
                **(previous.params or {}),
                "step": event.params.get("step"),
                "date": event.params.get("date"),
            }
            if event.note and not previous.note:
                previous.note = event.note
            continue
        lines.append(event)
    return with_texts(lines)
