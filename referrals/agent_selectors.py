"""Reads for the PAJ agent's space. An agent only ever reads through Referral.objects.for_agent:
the referrals sent to their territories, never a queued one."""

import functools
import operator

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, TextChoices
from django.utils.translation import gettext_lazy as _

from candidates.models import CandidateTarget
from common.statements import compiled_once
from territories.models import Agent

from .models import AWAITING_ANSWER, FollowUp, FollowUpStep, Referral, ReferralStatus
from .selectors import consents_prefetch


class AgentTab(TextChoices):
    """The agent's tabs, by their ?onglet= slug."""

    PENDING = "en-attente", _("À traiter : en attente ou à l'étude")
    FOLLOW_UP = "suivi", _("Acceptées : suivi en cours")
    CLOSED = "fermees", _("Fermées")


DEFAULT_AGENT_TAB = AgentTab.PENDING


def follow_ups_prefetch() -> Prefetch:
    """The follow-up steps with who recorded them, for templates/referrals/_follow_up_timeline.html:
    `prefetch_related(follow_ups_prefetch())` on the referrals."""
    return Prefetch(
        "follow_ups", queryset=compiled_once(FollowUp.objects.select_related("by_agent"), "referral.follow_ups")
    )


def _follow_up_closed() -> Exists:
    return Exists(FollowUp.objects.filter(referral=OuterRef("pk"), step=FollowUpStep.CLOSED))


# Which referrals each tab holds, as (statuses, whether the follow-up is closed; None: either way):
# the lists' filters (_tab_filters) and the tabs' counts (agent_tab_counts) both read it.
TAB_RULES: dict[str, tuple[tuple[tuple[str, ...], bool | None], ...]] = {
    AgentTab.PENDING: ((tuple(AWAITING_ANSWER), None),),
    AgentTab.FOLLOW_UP: (((ReferralStatus.ACCEPTED,), False),),
    AgentTab.CLOSED: (
        ((ReferralStatus.DECLINED, ReferralStatus.EXPIRED, ReferralStatus.WITHDRAWN), None),
        ((ReferralStatus.ACCEPTED,), True),
    ),
}


def _tab_filters() -> dict[str, Q]:
    closed = Q(_follow_up_closed())
    filters = {}
    for tab, rules in TAB_RULES.items():
        parts = [
            Q(status__in=statuses) & {None: Q(), True: closed, False: ~closed}[is_closed]
            for statuses, is_closed in rules
        ]
        filters[tab] = functools.reduce(operator.or_, parts)
    return filters


def _tab_of(status: str, closed: bool) -> str | None:
    return next(
        (
            tab
            for tab, rules in TAB_RULES.items()
            for statuses, is_closed in rules
            if status in statuses and is_closed in (None, closed)
        ),
        None,
    )


TAB_ORDER = {
    AgentTab.PENDING: ("expires_at", "id"),
    AgentTab.FOLLOW_UP: ("-answered_at", "-id"),
    AgentTab.CLOSED: ("-created_at", "-id"),
}


def agent_default_tab(counts: dict[str, int]) -> AgentTab:
    """The tab the space opens on: the one that needs action. Referrals waiting for an answer
    first, else the follow-ups going on, else the closed ones; the first when all are empty."""
    return next((tab for tab in AgentTab if counts.get(tab)), DEFAULT_AGENT_TAB)


# What a card of the agent's list reads (referrals/agent/home.html, selectors.agent_view): the
# referral without its two long texts, the person's name and whether the file was anonymized, the
# territory's name. Building 25 whole files (some 40 columns, a phone number parsed each) and their
# consents' full wording was a fifth of the list's reading (issue 17), for nothing the cards show.
CARD_FIELDS = (
    *(field.name for field in Referral._meta.concrete_fields if field.name not in ("message", "decline_reason")),
    "candidate__first_name",
    "candidate__last_name",
    "candidate__anonymized_at",
    "territory__name",
)


def agent_referrals(agent: Agent, *, tab: str) -> QuerySet[Referral]:
    """One tab of the agent's list: pending or under review; accepted with the follow-up going on; closed
    (declined, expired, withdrawn, or accepted with the follow-up closed). Each row holds CARD_FIELDS,
    its follow-up steps and its person's consents (what sharing covers, not the words)."""
    cards = Referral.objects.select_related("candidate", "territory").only(*CARD_FIELDS)
    return (
        compiled_once(cards, "agent.referrals")
        .for_agent(agent)
        .filter(_tab_filters()[tab])
        .prefetch_related(
            Prefetch("follow_ups", queryset=compiled_once(FollowUp.objects.defer("note"), "agent.follow_ups")),
            consents_prefetch("candidate__", name="agent.referrals.consents", words=False),
        )
        .order_by(*TAB_ORDER[tab])
    )


def agent_tab_counts(agent: Agent) -> dict[str, int]:
    """How many referrals each tab holds, in one query: a count by status and closed follow-up,
    summed by TAB_RULES (one COUNT with a FILTER per tab cost the ORM twice as long to build)."""
    counts = dict.fromkeys(AgentTab.values, 0)
    rows = (
        Referral.objects.for_agent(agent)
        .order_by()
        .values_list("status")
        .annotate(closed=_follow_up_closed(), count=Count("pk"))
    )
    for status, closed, count in rows:
        tab = _tab_of(status, closed)
        if tab is not None:
            counts[tab] += count
    return counts


def agent_referral(agent: Agent, pk: int) -> QuerySet[Referral]:
    """The one referral of the agent's detail page (empty if it is not theirs to see)."""
    referral = Referral.objects.select_related("candidate__maturity", "territory__region", "sent_by", "answered_by")
    return (
        compiled_once(referral, "agent.referral")
        .for_agent(agent)
        .filter(pk=pk)
        .prefetch_related(
            follow_ups_prefetch(),
            Prefetch("candidate__targets", queryset=compiled_once(CandidateTarget.objects.all(), "agent.targets")),
            consents_prefetch("candidate__", name="agent.referral.consents"),
        )
    )
