"""Reads for the PAJ agent's space. An agent only ever reads through Referral.objects.for_agent:
the referrals sent to their territories, never a queued one."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, TextChoices
from django.utils.translation import gettext_lazy as _

from candidates.models import Consent
from territories.models import Agent

from .models import AWAITING_ANSWER, FollowUp, FollowUpStep, Referral, ReferralStatus


class AgentTab(TextChoices):
    """The agent's tabs, by their ?onglet= slug."""

    PENDING = "en-attente", _("À traiter : en attente ou à l'étude")
    FOLLOW_UP = "suivi", _("Acceptées : suivi en cours")
    CLOSED = "fermees", _("Fermées")


DEFAULT_AGENT_TAB = AgentTab.PENDING


def follow_ups_prefetch() -> Prefetch:
    """The follow-up steps with who recorded them, for templates/referrals/_follow_up_timeline.html:
    `prefetch_related(follow_ups_prefetch())` on the referrals."""
    return Prefetch("follow_ups", queryset=FollowUp.objects.select_related("by_agent"))


def _consents():
    return Consent.objects.select_related("text")


def _follow_up_closed() -> Exists:
    return Exists(FollowUp.objects.filter(referral=OuterRef("pk"), step=FollowUpStep.CLOSED))


def _tab_filters() -> dict[str, Q]:
    closed = _follow_up_closed()
    return {
        AgentTab.PENDING: Q(status__in=AWAITING_ANSWER),
        AgentTab.FOLLOW_UP: Q(status=ReferralStatus.ACCEPTED) & ~Q(closed),
        AgentTab.CLOSED: Q(status__in=(ReferralStatus.DECLINED, ReferralStatus.EXPIRED, ReferralStatus.WITHDRAWN))
        | (Q(status=ReferralStatus.ACCEPTED) & Q(closed)),
    }


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
# consents' full wording was a third of the page (issue 17).
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
    return (
        Referral.objects.for_agent(agent)
        .filter(_tab_filters()[tab])
        .select_related("candidate", "territory")
        .only(*CARD_FIELDS)
        .prefetch_related(
            Prefetch("follow_ups", queryset=FollowUp.objects.defer("note")),
            Prefetch("candidate__consents", queryset=_consents().defer("text__text", "text__explanation")),
        )
        .order_by(*TAB_ORDER[tab])
    )


def agent_tab_counts(agent: Agent) -> dict[str, int]:
    """How many referrals each tab holds, in one query."""
    filters = _tab_filters()
    counts = Referral.objects.for_agent(agent).aggregate(
        **{f"tab{index}": Count("pk", filter=filters[tab]) for index, tab in enumerate(AgentTab.values)}
    )
    return {tab: counts[f"tab{index}"] for index, tab in enumerate(AgentTab.values)}


def agent_referral(agent: Agent, pk: int) -> QuerySet[Referral]:
    """The one referral of the agent's detail page (empty if it is not theirs to see)."""
    return (
        Referral.objects.for_agent(agent)
        .filter(pk=pk)
        .select_related("candidate__maturity", "territory__region", "sent_by", "answered_by")
        .prefetch_related(
            follow_ups_prefetch(), "candidate__targets", Prefetch("candidate__consents", queryset=_consents())
        )
    )
