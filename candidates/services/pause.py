"""A counsellor puts a file on hold or closes it. The counselling app checks first, under the
same locks, that no referral waits for an answer (counselling.services)."""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User

from ..choices import CandidateStatus, CloseReason, EventCode
from ..errors import CandidateError
from ..locks import lock_candidate
from ..models import Candidate
from .status import CLOSABLE_STATUSES, HOLDABLE_STATUSES, candidate_set_status

logger = logging.getLogger(__name__)


def _leave_for(*, candidate: Candidate, to: str, allowed: frozenset[str], by: User, **event) -> Candidate:
    if not by.is_counsellor:
        raise CandidateError(_("Ce compte ne peut pas modifier les dossiers."))
    with transaction.atomic():
        locked = lock_candidate(candidate.pk)
        if locked is None:
            raise CandidateError(_("Ce dossier n'existe plus."))
        if locked.status not in allowed:
            raise CandidateError(
                _("Le dossier de %(name)s est « %(status)s » : cette action n'est pas possible.")
                % {"name": locked.full_name, "status": locked.get_status_display()}
            )
        candidate_set_status(candidate=locked, to=to, by=by, **event)
    candidate.status = locked.status
    logger.info("candidate_%s candidate=%s by=%s", to, candidate.pk, by.pk)
    return locked


def candidate_put_on_hold(*, candidate: Candidate, by: User, reason: str = "") -> Candidate:
    """Pause a file (the person asked for a break, cannot be reached for now…), with an optional
    reason typed by the counsellor."""
    return _leave_for(
        candidate=candidate,
        to=CandidateStatus.ON_HOLD,
        allowed=HOLDABLE_STATUSES,
        by=by,
        code=EventCode.PUT_ON_HOLD,
        note=reason.strip(),
    )


def candidate_close(*, candidate: Candidate, by: User, reason: str, details: str = "") -> Candidate:
    """Close a file, with a reason from CloseReason (and details, required for "other"). Refused
    (CandidateError) for drafts and closed files."""
    details = details.strip()
    if reason not in CloseReason.values:
        raise CandidateError(_("Indiquez pourquoi le dossier est fermé."))
    if reason == CloseReason.OTHER and not details:
        raise CandidateError(_("Précisez la raison."))
    return _leave_for(
        candidate=candidate,
        to=CandidateStatus.CLOSED,
        allowed=CLOSABLE_STATUSES,
        by=by,
        code=EventCode.CLOSED,
        params={"reason": reason},
        note=details,
    )
