"""The first lock of every change to a file.

One order for the whole platform: the candidate's row first (several: lower id first), then
whatever else the change touches, the referrals included (referrals.locks). Two changes that lock
the same rows then queue instead of waiting on each other (a deadlock on PostgreSQL)."""

from collections.abc import Iterable, Sequence

from .models import Candidate


def lock_candidates(pks: Iterable[int], *, related: Sequence[str] = ()) -> dict[int, Candidate]:
    """Lock the files `pks`, lower id first, and return them by id (a missing one is absent)."""
    rows = Candidate.objects.select_for_update(of=("self",)).filter(pk__in=set(pks)).order_by("pk")
    if related:
        rows = rows.select_related(*related)
    return {candidate.pk: candidate for candidate in rows}


def lock_candidate(pk: int, *, related: Sequence[str] = ()) -> Candidate | None:
    """Lock one file, or None when it no longer exists."""
    return lock_candidates([pk], related=related).get(pk)
