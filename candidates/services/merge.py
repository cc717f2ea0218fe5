"""The candidates app's part of merging two files of the same person (counselling.services.
candidates_merge locks both files and their referrals, moves the referrals, then calls this)."""

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from accounts.services import user_deactivate_and_anonymize

from ..choices import CandidateStatus, EventCode
from ..models import (
    Candidate,
    CandidateEvent,
    CandidateTarget,
    CoachingNote,
    Consent,
    FileAccess,
    MaturityAssessment,
    TerritoryProposal,
    coaching_consent_sync,
)
from .deletion import candidate_anonymize_fields, delete_file_after_commit
from .registration import IMMIGRANT_FIELDS, MAX_TARGETS, STEP_FIELDS
from .status import REFERABLE_STATUSES, candidate_set_status

logger = logging.getLogger(__name__)

# Profile fields copied from the merged file when they are blank on the kept one.
MERGE_FILLED_FIELDS = ("phone", "date_of_birth", *IMMIGRANT_FIELDS, *STEP_FIELDS[3])


@dataclass
class Absorbed:
    filled: list[str] = field(default_factory=list)
    account_moved: bool = False
    targets_left_out: list[int] = field(default_factory=list)
    cv_deleted: bool = False


def _is_blank(value: Any) -> bool:
    return value is None or str(value) == ""


def _merge_targets(*, keep: Candidate, merge: Candidate) -> list[int]:
    """Move `merge`'s targets that `keep` lacks after `keep`'s own, in order, up to MAX_TARGETS.
    Returns the ids of the territories left out (the duplicates of keep's are simply dropped)."""
    kept = list(CandidateTarget.objects.filter(candidate=keep).order_by("rank"))
    for rank, target in enumerate(kept, start=1):  # ascending: each move goes to a free rank
        if target.rank != rank:
            target.rank = rank
            target.save(update_fields=["rank"])
    kept_territories = {target.territory_id for target in kept}
    left_out = []
    for target in CandidateTarget.objects.filter(candidate=merge).order_by("rank"):
        if target.territory_id in kept_territories:
            target.delete()
        elif len(kept) < MAX_TARGETS:
            target.candidate, target.rank = keep, len(kept) + 1
            target.save(update_fields=["candidate", "rank"])
            kept.append(target)
            kept_territories.add(target.territory_id)
        else:
            left_out.append(target.territory_id)
            target.delete()
    return left_out


def _merge_proposals(*, keep: Candidate, merge: Candidate) -> None:
    """The person's answers to territory proposals follow them to `keep` (an accepted territory
    stays chosen); a proposal waiting on both files for the same territory waits once, on `keep`."""
    waiting_on_keep = TerritoryProposal.objects.pending().filter(candidate=keep).values("territory_id")
    TerritoryProposal.objects.pending().filter(candidate=merge, territory_id__in=waiting_on_keep).update(
        status=TerritoryProposal.Status.WITHDRAWN, answered_at=timezone.now()
    )
    TerritoryProposal.objects.filter(candidate=merge).update(candidate=keep)


def candidate_absorb(*, keep: Candidate, merge: Candidate, by: User, referral_moved: bool) -> Absorbed:
    """Move everything of `merge` the candidates app owns to `keep`: events, consents (with their
    dates: the latest answer of either file is the person's current choice), coaching notes,
    accesses, territory proposals, the targets `keep` lacks (three at most), the maturity assessment when `keep` has
    none, and the profile fields blank on `keep`. Then anonymize and close `merge`; its account
    moves to `keep` when `keep` has none, else it is deactivated. `referral_moved`: a referral
    waiting for an answer came with `merge`, so `keep` is now referred. Both rows are locked by
    the caller, inside its transaction."""
    result = Absorbed()
    for model in (CandidateEvent, Consent, CoachingNote):
        model.objects.filter(candidate=merge).update(candidate=keep)
    coaching_consent_sync([keep.pk, merge.pk])  # the latest answer may now be one of `merge`'s
    # Readings of both files by the same person in the same hour are one reading of the person's file.
    same_hour = FileAccess.objects.filter(
        candidate=keep, reader=OuterRef("reader"), kind=OuterRef("kind"), hour=OuterRef("hour")
    )
    FileAccess.objects.filter(candidate=merge).exclude(Exists(same_hour)).update(candidate=keep)
    FileAccess.objects.filter(candidate=merge).delete()
    result.targets_left_out = _merge_targets(keep=keep, merge=merge)
    _merge_proposals(keep=keep, merge=merge)
    if not MaturityAssessment.objects.filter(candidate=keep).exists():
        MaturityAssessment.objects.filter(candidate=merge).update(candidate=keep)
    else:
        MaturityAssessment.objects.filter(candidate=merge).update(mature_note="")

    filled = [name for name in MERGE_FILLED_FIELDS if _is_blank(getattr(keep, name))]
    filled = [name for name in filled if not _is_blank(getattr(merge, name))]
    for name in filled:
        setattr(keep, name, getattr(merge, name))
    cv_to_delete = merge.cv.name if merge.cv else ""
    if merge.cv and not keep.cv:
        keep.cv, keep.cv_filename = merge.cv.name, merge.cv_filename
        filled += ["cv", "cv_filename"]
        cv_to_delete = ""
    if keep.counsellor_id is None and merge.counsellor_id is not None:
        keep.counsellor_id = merge.counsellor_id
        filled.append("counsellor")

    user = merge.user
    candidate_anonymize_fields(merge)  # before `keep` may take its account
    result.account_moved = user is not None and keep.user_id is None
    if result.account_moved:
        # The account follows the identity it proved: the kept file's address becomes the one the
        # person signs in with.
        keep.user = user
        filled.append("user")
        if keep.email.casefold() != user.email.casefold():
            keep.email = user.email
            filled.append("email")
    elif user is not None:
        user_deactivate_and_anonymize(user=user)
    keep.save(update_fields=[*filled, "updated_at"])
    result.filled = filled

    params = {"merged": merge.pk, "kept": keep.pk}
    if referral_moved and keep.status in REFERABLE_STATUSES:
        candidate_set_status(candidate=keep, to=CandidateStatus.REFERRED, by=by, code=EventCode.MERGED, params=params)
    candidate_set_status(candidate=merge, to=CandidateStatus.CLOSED, by=by, code=EventCode.MERGED, params=params)
    CandidateEvent.objects.bulk_create(
        [
            CandidateEvent(
                candidate=keep,
                kind=CandidateEvent.Kind.MERGED,
                actor=by,
                code=EventCode.MERGED,
                params={**params, "left_out": result.targets_left_out} if result.targets_left_out else params,
            ),
            CandidateEvent(
                candidate=merge, kind=CandidateEvent.Kind.MERGED, actor=by, code=EventCode.MERGED, params=params
            ),
        ]
    )
    delete_file_after_commit(merge, cv_to_delete)
    result.cv_deleted = bool(cv_to_delete)
    return result
