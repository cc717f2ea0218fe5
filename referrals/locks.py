"""The platform's one lock order, for every change that touches a file and its referrals: the
candidate's row first (candidates.locks: several files, lower id first), then the referrals.
Consents, deletion, merge and every referral transition lock through here or through
candidates.locks alone; the race tests (tests/referrals/test_lock_order.py) hold them to it."""

from collections.abc import Iterable

from django.db.models import QuerySet

from candidates.locks import lock_candidates
from candidates.models import Candidate

from .models import Referral


def lock_files_and_referrals(
    *, candidate_ids: Iterable[int], referrals: QuerySet[Referral]
) -> tuple[dict[int, Candidate], list[Referral]]:
    """Lock the files, then `referrals` (in id order). Returns the locked files by id and the
    locked referrals."""
    candidates = lock_candidates(candidate_ids)
    locked = list(referrals.select_for_update(of=("self",)).order_by("pk"))
    return candidates, locked


def lock_referral(referral_id: int) -> tuple[Candidate, Referral]:
    """Lock the referral's file, then the referral (with its territory, who answered and who sent
    it, read in the same query).

    The file is read before it is locked: if a merge moved the referral to another file meanwhile
    (it holds the first file's lock until it commits), the referral is no longer the first file's
    once that lock is granted, and the file it now belongs to is locked instead."""
    for _attempt in range(3):
        candidate_id = Referral.objects.values_list("candidate_id", flat=True).get(pk=referral_id)
        candidates, referrals = lock_files_and_referrals(
            candidate_ids=[candidate_id],
            referrals=Referral.objects.filter(pk=referral_id, candidate_id=candidate_id).select_related(
                "territory", "answered_by", "sent_by"
            ),
        )
        if referrals:
            return candidates[candidate_id], referrals[0]
    raise RuntimeError(f"referral={referral_id} keeps moving between files")
