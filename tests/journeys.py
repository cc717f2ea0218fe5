"""Files walked through the real services, for the pages that tell their story."""

from dataclasses import dataclass

from django.utils import timezone

from candidates.models import Candidate, CandidateStatus
from referrals.models import DeclineReason, Referral
from referrals.services import referral_accept, referral_decline, referral_send
from referrals.services.follow_up import follow_up_record
from tests.factories import CandidateFactory, CounsellorFactory, TerritoryFactory
from tests.referrals.factories_agent import agent_with_account


@dataclass
class Journey:
    candidate: Candidate
    first: Referral
    second: Referral


def declined_then_accepted(*, steps=("first_contact", "moved", "settled"), **candidate) -> Journey:
    """Referred to Alpha then Beta: Alpha declines, the file passes on to Beta, whose agent
    accepts and records `steps` of the follow-up."""
    alpha, beta = TerritoryFactory(name="Alpha"), TerritoryFactory(name="Beta")
    alpha_agent = agent_with_account(territories=[alpha], first_name="Ana", last_name="Roy")
    beta_agent = agent_with_account(territories=[beta], first_name="Béa", last_name="Lemay")
    counsellor = CounsellorFactory()
    person = CandidateFactory(
        status=CandidateStatus.COACHING,
        counsellor=counsellor,
        mature=counsellor,
        target_territory=alpha,
        more_targets=[beta],
        **candidate,
    )
    first = referral_send(candidate=person, territories=[alpha, beta], by=counsellor)
    referral_decline(referral=first, agent=alpha_agent, category=DeclineReason.CAPACITY)
    second = person.referrals.get(territory=beta)
    referral_accept(referral=second, agent=beta_agent)
    for step in steps:
        follow_up_record(
            referral=second, by_agent=beta_agent, step=step, occurred_on=timezone.localdate(), note="Tout va bien."
        )
    person.refresh_from_db()
    return Journey(candidate=person, first=first, second=second)
