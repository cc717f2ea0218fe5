"""Which territories a person chose: the ones they target, and those they agreed to when their
counsellor proposed them (TerritoryProposal). A referral goes to these only."""

from django.db.models import Q

from territories.models import Territory

from .models import Candidate, CandidateTarget, TerritoryProposal


def chosen_territory_ids(candidate_id: int) -> set[int]:
    """Read now from the database (one query): the targets and the accepted proposals."""
    targets = CandidateTarget.objects.filter(candidate_id=candidate_id).values("territory_id")
    accepted = TerritoryProposal.objects.accepted().filter(candidate_id=candidate_id).values("territory_id")
    return set(Territory.objects.filter(Q(pk__in=targets) | Q(pk__in=accepted)).values_list("pk", flat=True))


def chosen_territory_ids_of(candidate: Candidate) -> list[int]:
    """The same from the prefetched `targets` and `territory_proposals`: targets in their order,
    then the accepted proposals, oldest first."""
    ids = [target.territory_id for target in sorted(candidate.targets.all(), key=lambda target: target.rank)]
    accepted = sorted(
        (p for p in candidate.territory_proposals.all() if p.status == TerritoryProposal.Status.ACCEPTED),
        key=lambda proposal: (proposal.answered_at, proposal.pk),
    )
    return list(dict.fromkeys([*ids, *(proposal.territory_id for proposal in accepted)]))
