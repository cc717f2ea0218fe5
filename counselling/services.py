"""The counsellors' actions that span the candidates and the referrals: pausing or closing a file
(refused while a referral waits for an answer) and merging two files of the same person. Each
locks in the platform's one order (referrals.locks) and lets each app write its own rows."""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from candidates.choices import CandidateStatus
from candidates.models import Candidate
from candidates.services import (
    REFERABLE_STATUSES,
    CandidateError,
    candidate_absorb,
    candidate_close,
    candidate_put_on_hold,
)
from referrals.locks import lock_files_and_referrals
from referrals.models import Referral
from referrals.services import referrals_move_to

from .selectors import merge_reasons

logger = logging.getLogger(__name__)


def _lock_without_pending_referral(candidate: Candidate) -> None:
    """Lock the file and its pending referral; refuse (CandidateError) if there is one."""
    _candidates, pending = lock_files_and_referrals(
        candidate_ids=[candidate.pk], referrals=Referral.objects.awaiting_answer().filter(candidate_id=candidate.pk)
    )
    if pending:
        raise CandidateError(
            _("Une orientation de %(name)s attend la réponse d'un territoire : retirez-la d'abord depuis le dossier.")
            % {"name": candidate.full_name}
        )


def file_put_on_hold(*, candidate: Candidate, by: User, reason: str = "") -> Candidate:
    """Pause a file (candidates.services.candidate_put_on_hold), unless a referral waits for an
    answer: it must be withdrawn first."""
    with transaction.atomic():
        _lock_without_pending_referral(candidate)
        return candidate_put_on_hold(candidate=candidate, by=by, reason=reason)


def file_close(*, candidate: Candidate, by: User, reason: str, details: str = "") -> Candidate:
    """Close a file with a reason (candidates.services.candidate_close), unless a referral waits
    for an answer: it must be withdrawn first."""
    with transaction.atomic():
        _lock_without_pending_referral(candidate)
        return candidate_close(candidate=candidate, by=by, reason=reason, details=details)


def candidates_merge(*, keep: Candidate, merge: Candidate, by: User) -> Candidate:
    """Merge two files of the same person into `keep`, all or nothing: `merge`'s referrals (with
    their links and logs) move to `keep` (the referrals app), then everything else of `merge`
    (candidates.services.candidate_absorb), which is closed and anonymized. Refused
    (CandidateError) for anyone but a counsellor, a file merged into itself, anonymized files,
    drafts, files that share neither an email, a phone, nor a name with a date of birth
    (merge_reasons), two referrals waiting for an answer, and a waiting referral that would land on
    a file that cannot be referred now."""
    if not by.is_counsellor:
        raise CandidateError(_("Seul·e un·e conseiller·ère EER peut fusionner des dossiers."))
    if keep.pk == merge.pk:
        raise CandidateError(_("Un dossier ne peut pas être fusionné avec lui-même."))
    pks = (keep.pk, merge.pk)
    with transaction.atomic():
        locked, pending = lock_files_and_referrals(
            candidate_ids=pks, referrals=Referral.objects.awaiting_answer().filter(candidate_id__in=pks)
        )
        if len(locked) != 2:
            raise CandidateError(_("Un des dossiers n'existe plus."))
        keep, merge = locked[keep.pk], locked[merge.pk]
        for candidate in (keep, merge):
            if candidate.anonymized_at is not None:
                raise CandidateError(
                    _("Le dossier n° %(pk)s a été anonymisé : il ne peut pas être fusionné.") % {"pk": candidate.pk}
                )
            if candidate.status == CandidateStatus.DRAFT:
                raise CandidateError(
                    _("Le dossier n° %(pk)s est une inscription en cours : il ne peut pas être fusionné.")
                    % {"pk": candidate.pk}
                )
        if len(pending) > 1:
            raise CandidateError(
                _(
                    "Les deux dossiers ont une orientation en attente de réponse : retirez l'une d'elles "
                    "avant de fusionner."
                )
            )
        if not merge_reasons(keep, merge):
            raise CandidateError(
                _(
                    "Ces deux dossiers ne partagent ni courriel, ni téléphone, ni nom et date de naissance : ils ne "
                    "peuvent pas être ceux d'une même personne, et ne sont pas fusionnés."
                )
            )
        referral_moved = any(referral.candidate_id == merge.pk for referral in pending)
        if referral_moved and keep.status not in (*REFERABLE_STATUSES, CandidateStatus.REFERRED):
            raise CandidateError(
                _(
                    "Le dossier n° %(pk)s est « %(status)s » : l'orientation en attente de l'autre dossier ne peut "
                    "pas y être reprise. Retirez-la d'abord."
                )
                % {"pk": keep.pk, "status": keep.get_status_display()}
            )
        merge_status = merge.status
        referrals_move_to(source=merge, target=keep)
        absorbed = candidate_absorb(keep=keep, merge=merge, by=by, referral_moved=referral_moved)
    logger.info(
        "candidates_merge keep=%s merge=%s by=%s merge_status=%s filled=%s account_moved=%s referral_moved=%s "
        "targets_left_out=%s cv_deleted=%s",
        keep.pk,
        merge.pk,
        by.pk,
        merge_status,
        ",".join(absorbed.filled) or "-",
        absorbed.account_moved,
        referral_moved,
        len(absorbed.targets_left_out),
        absorbed.cv_deleted,
    )
    return keep
