"""Factories for the agent's space: agents with an account, accepted referrals, follow-up steps."""

import factory
from django.utils import timezone

from candidates.models import CandidateStatus
from referrals.models import FollowUp, Referral, ReferralStatus
from territories.models import Agent
from territories.services import agent_account_ensure
from tests.factories import AgentFactory, CandidateFactory, ReferralFactory, TerritoryFactory


def agent_with_account(*, territories=None, **kwargs) -> Agent:
    """An active agent of `territories` (a new territory unless given) with a sign-in account."""
    agent = AgentFactory(territories=territories or [TerritoryFactory()], **kwargs)
    agent_account_ensure(agent=agent)
    return agent


def referral_for(agent: Agent, *, status: str = ReferralStatus.PENDING, **kwargs) -> Referral:
    """A referral to the agent's first territory. An accepted one was accepted by that agent and
    its candidate is taken on."""
    territory = agent.territories.first()
    if status == ReferralStatus.ACCEPTED:
        kwargs.setdefault("answered_by", agent)
        kwargs.setdefault("answered_at", timezone.now())
    candidate_status = {
        ReferralStatus.ACCEPTED: CandidateStatus.TAKEN_ON,
        ReferralStatus.PENDING: CandidateStatus.REFERRED,
    }.get(status, CandidateStatus.COACHING)
    candidate = kwargs.pop("candidate", None) or CandidateFactory(target_territory=territory, status=candidate_status)
    return ReferralFactory(candidate=candidate, territory=territory, status=status, **kwargs)


class FollowUpFactory(factory.django.DjangoModelFactory):
    """A step written directly (tests of the rules use follow_up_record)."""

    class Meta:
        model = FollowUp

    step = "first_contact"
    occurred_on = factory.LazyFunction(timezone.localdate)
    note = ""
