"""Who coaches a file: taking files on from triage, assigning them, handing one to a colleague."""

import logging
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User

from ..choices import CandidateStatus, EventCode
from ..errors import CandidateError
from ..locks import lock_candidate, lock_candidates
from ..models import Candidate, CandidateEvent
from .emails import candidate_email_counsellor_assigned
from .status import TAKEN_ON_STATUSES, candidate_set_status

logger = logging.getLogger(__name__)


def display_name(user: User | None) -> str:
    """How staff are named in a file's history: their name, else their address."""
    return (user.get_full_name() or user.email) if user else "—"


def _take_on_refusal(candidate: Candidate) -> str | None:
    if candidate.status != CandidateStatus.NEW or candidate.counsellor_id is not None:
        return _("%(name)s n'est plus en attente de triage.") % {"name": candidate.full_name}
    return None


def candidate_take_on(*, candidate: Candidate, by: User) -> Candidate:
    """`by` takes on a file waiting for triage: they become its counsellor, the file goes to EER
    coaching. Refused (CandidateError) when the file is no longer NEW and unassigned."""
    return candidates_assign(candidates=[candidate], counsellor=by, by=by)[0]


def candidates_assign(*, candidates: Sequence[Candidate], counsellor: User, by: User) -> list[Candidate]:
    """Give files waiting for triage to `counsellor` (EER coaching), all or none: refused
    (CandidateError) when the counsellor cannot coach or when one file is no longer NEW and
    unassigned (someone took it meanwhile). Each file's timeline gets one ASSIGNED event that
    carries the change of status (NEW → COACHING) and names the counsellor."""
    if not counsellor.is_counsellor:
        raise CandidateError(_("Ce compte ne peut pas accompagner de candidat·e·s."))
    if not candidates:
        raise CandidateError(_("Choisissez au moins un dossier."))
    code = EventCode.TAKEN_ON if counsellor == by else EventCode.ASSIGNED
    with transaction.atomic():
        locked = list(lock_candidates(candidate.pk for candidate in candidates).values())
        refusals = [refusal for candidate in locked if (refusal := _take_on_refusal(candidate))]
        if len(locked) != len({candidate.pk for candidate in candidates}):
            refusals.append(_("Un des dossiers n'existe plus."))
        if refusals:
            raise CandidateError(" ".join(refusals))
        for candidate in locked:
            candidate.counsellor = counsellor
            candidate.save(update_fields=["counsellor", "updated_at"])
            event = candidate_set_status(
                candidate=candidate,
                to=CandidateStatus.COACHING,
                by=by,
                code=code,
                params={"counsellor": display_name(counsellor)},
                kind=CandidateEvent.Kind.ASSIGNED,
            )
            candidate_email_counsellor_assigned(candidate=candidate, counsellor=counsellor, event=event)
    logger.info(
        "candidates_assign candidates=%s counsellor=%s by=%s",
        ",".join(str(candidate.pk) for candidate in locked),
        counsellor.pk,
        by.pk,
    )
    return locked


def candidate_can_be_reassigned(candidate: Candidate) -> bool:
    return candidate.anonymized_at is None and candidate.status in TAKEN_ON_STATUSES


def candidate_reassign(*, candidate: Candidate, to: User, by: User) -> Candidate:
    """Hand a file already taken on to a colleague: `to`, an active EER counsellor, becomes its
    counsellor; the status does not change. One ASSIGNED event on the timeline, naming the former
    and the new counsellor. Refused (CandidateError) when `by` is not a counsellor or a
    coordinator, when `to` is not an active counsellor or already follows the file, and for files
    not taken on yet (take them on from "À trier"), drafts, closed and anonymized files."""
    if not by.is_counsellor:
        raise CandidateError(_("Ce compte ne peut pas modifier les dossiers."))
    if not (to.is_active and to.role == User.Role.COUNSELLOR):
        raise CandidateError(
            _("%(name)s n'est pas conseiller·ère EER : le dossier ne peut pas lui être confié.")
            % {"name": display_name(to)}
        )
    with transaction.atomic():
        locked = lock_candidate(candidate.pk)
        if locked is None:
            raise CandidateError(_("Ce dossier n'existe plus."))
        if locked.status == CandidateStatus.NEW:
            raise CandidateError(
                _("%(name)s n'est pas encore pris·e en charge : assignez le dossier depuis la liste « À trier ».")
                % {"name": locked.full_name}
            )
        if not candidate_can_be_reassigned(locked):
            raise CandidateError(
                _("Le dossier de %(name)s est « %(status)s » : il ne peut pas être confié à un·e collègue.")
                % {"name": locked.full_name, "status": locked.get_status_display()}
            )
        if locked.counsellor_id == to.pk:
            raise CandidateError(_("%(name)s accompagne déjà ce dossier.") % {"name": display_name(to)})
        previous = User.objects.filter(pk=locked.counsellor_id).first() if locked.counsellor_id else None
        locked.counsellor = to
        locked.save(update_fields=["counsellor", "updated_at"])
        event = CandidateEvent.objects.create(
            candidate=locked,
            kind=CandidateEvent.Kind.ASSIGNED,
            actor=by,
            code=EventCode.REASSIGNED,
            params={"previous": display_name(previous), "counsellor": display_name(to)},
        )
        candidate_email_counsellor_assigned(candidate=locked, counsellor=to, event=event)
    candidate.counsellor = to
    logger.info(
        "candidate_reassign candidate=%s from=%s to=%s by=%s", candidate.pk, previous and previous.pk, to.pk, by.pk
    )
    return locked


def candidate_claim_if_unassigned(*, candidate: Candidate, counsellor: User) -> None:
    """A counsellor who refers a file nobody coaches becomes its counsellor (inside the caller's
    transaction, which holds the file's lock)."""
    if candidate.counsellor_id is None:
        candidate.counsellor = counsellor
        candidate.save(update_fields=["counsellor", "updated_at"])
