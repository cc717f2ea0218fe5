"""The file's status, as a state machine: one table of the moves allowed, one guard.

Every change of status goes through candidate_set_status, which refuses (and changes nothing) a
move the table does not list. The other rules about statuses derive from the table: a file can be
referred from the statuses that may move to REFERRED, put on hold from those that may move to
ON_HOLD, and so on."""

import logging
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from ..choices import CandidateStatus
from ..errors import StatusTransitionError
from ..models import Candidate, CandidateEvent

logger = logging.getLogger(__name__)

S = CandidateStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    # Submitted by the person; a draft is closed only when its account is deleted.
    S.DRAFT: frozenset({S.NEW, S.CLOSED}),
    # Taken on by a counsellor (COACHING), or referred straight from triage.
    S.NEW: frozenset({S.COACHING, S.REFERRED, S.ON_HOLD, S.CLOSED}),
    S.COACHING: frozenset({S.REFERRED, S.ON_HOLD, S.CLOSED}),
    # Back to coaching when the referral is withdrawn or its list exhausted; taken on when accepted.
    S.REFERRED: frozenset({S.COACHING, S.TAKEN_ON, S.ON_HOLD, S.CLOSED}),
    # The agent's follow-up: moved, then settled (or settled directly).
    S.TAKEN_ON: frozenset({S.MOVED, S.SETTLED, S.ON_HOLD, S.CLOSED}),
    S.MOVED: frozenset({S.SETTLED, S.CLOSED}),
    S.SETTLED: frozenset({S.CLOSED}),
    S.ON_HOLD: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}


def can_move(from_status: str, to: str) -> bool:
    return to in TRANSITIONS.get(from_status, frozenset())


def statuses_that_can_move_to(to: str) -> frozenset[str]:
    return frozenset(status for status, targets in TRANSITIONS.items() if to in targets)


# Derived from the table, for the services and lists that ask "can this file be …?".
REFERABLE_STATUSES = statuses_that_can_move_to(S.REFERRED)
HOLDABLE_STATUSES = statuses_that_can_move_to(S.ON_HOLD)
# A counsellor closes submitted files; a draft is closed only by its account's deletion.
CLOSABLE_STATUSES = statuses_that_can_move_to(S.CLOSED) - {S.DRAFT}
# A file whose purpose ended: the retention periods count from its `closed_at`.
ENDED_STATUSES = frozenset({S.CLOSED, S.SETTLED})
# Files a counsellor follows (taken on, whatever came next): they can be handed to a colleague.
TAKEN_ON_STATUSES = frozenset(S.values) - {S.DRAFT, S.NEW, S.CLOSED}


def candidate_set_status(
    *,
    candidate: Candidate,
    to: str,
    by: User | None,
    code: str = "",
    params: dict[str, Any] | None = None,
    note: str = "",
    kind: str = CandidateEvent.Kind.STATUS_CHANGED,
) -> CandidateEvent | None:
    """Move the file to `to` and record it on its timeline, as an event of `kind` (an ASSIGNED
    event when taking the file on is what moves it) with its `code` and `params` (why, put into
    words when read: candidates.history) and `note` (what a person typed). Call inside a
    transaction that holds the candidate's row (candidates.locks). Returns the event, or None when
    the status was already `to`. Raises StatusTransitionError, changing nothing, when the table
    does not allow the move."""
    from_status = candidate.status
    if from_status == to:
        return None
    if not can_move(from_status, to):
        raise StatusTransitionError(
            _("Le dossier est « %(from)s » : il ne peut pas passer à « %(to)s ».")
            % {"from": CandidateStatus(from_status).label, "to": CandidateStatus(to).label}
        )
    candidate.status = to
    fields = ["status", "updated_at"]
    if to in ENDED_STATUSES and candidate.closed_at is None:
        candidate.closed_at = timezone.now()
        fields.append("closed_at")
    candidate.save(update_fields=fields)
    event = CandidateEvent.objects.create(
        candidate=candidate,
        kind=kind,
        from_status=from_status,
        to_status=to,
        actor=by,
        code=code,
        params=params or {},
        note=note,
    )
    logger.info(
        "candidate_set_status candidate=%s %s->%s code=%s by=%s",
        candidate.pk,
        from_status,
        to,
        code or "-",
        by and by.pk,
    )
    return event


def candidate_record_event(
    *, candidate: Candidate, kind: str, by: User | None = None, code: str = "", params=None, note: str = ""
) -> CandidateEvent:
    """Mark the file's timeline without a change of status (a referral passed on to the next
    territory, a follow-up step): for the higher apps, which never write these rows themselves."""
    return CandidateEvent.objects.create(
        candidate=candidate, kind=kind, actor=by, code=code, params=params or {}, note=note
    )
