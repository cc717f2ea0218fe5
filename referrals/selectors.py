"""Reads across the candidates and the referrals that apply permissions: who may see what of a
person, and until when (Québec's Law 25: access ends when its purpose ends)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import User
from candidates.choices import CandidateStatus
from candidates.consents import current_sharing_covers, sharing_covers
from candidates.maturity import MaturityItem, maturity_checklist
from candidates.models import Candidate, Consent, MaturityAssessment, SharedItem
from common.statements import compiled_once
from territories.models import Agent

from .models import FollowUpStep, Referral, ReferralStatus


def consents_prefetch(prefix: str = "", *, name: str = "referral.consents", words: bool = True) -> Prefetch:
    """The consents with the texts they point to: what sharing_covers reads (no query per row).
    words=False leaves out the texts' wording, for lists that only need what sharing covers."""
    consents = Consent.objects.select_related("text")
    if not words:
        consents = consents.defer("text__text", "text__explanation")
    return Prefetch(f"{prefix}consents", queryset=compiled_once(consents, name))


@dataclass(frozen=True)
class AgentView:
    """What an agent may see of the person of a referral, now."""

    person: bool = False  # the name and the summary
    cv: bool = False
    message: bool = False  # the counsellor's message and assessment
    contact: bool = False  # email and phone
    contact_preference: bool = False  # how and when the person prefers to be reached
    ended: bool = False  # the referral's purpose is over (declined, expired, withdrawn, closed)
    consent_withdrawn: bool = False


def _follow_up_closed_on(referral: Referral) -> datetime.date | None:
    """From the prefetched follow-ups when there are some."""
    return next((f.occurred_on for f in referral.follow_ups.all() if f.step == FollowUpStep.CLOSED), None)


def referral_purpose_open(referral: Referral, *, today: datetime.date | None = None) -> bool:
    """An agent's reason to see the person: the referral waits for their answer, or they took the
    person on and the follow-up is not over (AGENT_ACCESS_GRACE_DAYS after it closed)."""
    if referral.awaits_answer:  # pending or under review
        return referral.is_open
    if referral.status == ReferralStatus.ACCEPTED:
        closed_on = _follow_up_closed_on(referral)
        today = today or timezone.localdate()
        return closed_on is None or today <= closed_on + datetime.timedelta(days=settings.AGENT_ACCESS_GRACE_DAYS)
    return False


def agent_view(
    referral: Referral, agent: Agent, *, territory_ids: set[int] | None = None, covers: frozenset[str] | None = None
) -> AgentView:
    """What `agent` may see of the referral's person: only while they are an active agent of its
    territory, only while the referral's purpose is open, only what the person's sharing consent
    covers (the words they agreed to), contact details once the agent accepted."""
    if territory_ids is None:
        territory_ids = set(agent.territory_ids)  # read once per agent object, shared with for_agent()
    if (
        not agent.is_active
        or referral.territory_id not in territory_ids
        or not referral_purpose_open(referral)
        or referral.candidate.anonymized_at is not None
    ):
        return AgentView(ended=True)
    covers = sharing_covers(referral.candidate) if covers is None else covers
    if not covers:
        return AgentView(consent_withdrawn=True)
    return AgentView(
        person=SharedItem.SUMMARY in covers,
        cv=SharedItem.CV in covers,
        message=SharedItem.COUNSELLOR_MESSAGE in covers,
        contact=referral.status == ReferralStatus.ACCEPTED and SharedItem.CONTACT_AFTER_ACCEPTANCE in covers,
        # How and when to call is not a contact detail, but it is only useful to whom the person
        # agreed to be contacted by: shown before the answer, with the summary, when both are
        # covered.
        contact_preference=SharedItem.SUMMARY in covers and SharedItem.CONTACT_AFTER_ACCEPTANCE in covers,
    )


@dataclass(frozen=True)
class CvReader:
    """Who is allowed to read a CV, as the access log records them."""

    user: User | None = None
    agent: Agent | None = None
    owner: bool = False


def cv_reader(user: User, candidate: Candidate) -> CvReader | None:
    """Who may see a candidate's CV, or None: the candidate; EER counsellors and coordinators,
    once the file is submitted; an active PAJ agent signed in with their own account, while a
    referral of the person to one of their territories is theirs (agent_view) and the person's
    sharing consent covers the CV."""
    if not user.is_authenticated or not user.is_active:
        return None
    if candidate.user_id is not None and candidate.user_id == user.pk:
        return CvReader(user=user, owner=True)
    if user.is_counsellor:
        # Every EER counsellor may open every submitted file: they triage together, cover for each
        # other, and the dashboard has an "all files" list. Each reading is logged.
        return CvReader(user=user) if candidate.status != CandidateStatus.DRAFT else None
    agent = Agent.objects.active().filter(user=user).first()
    if agent is None:
        return None
    territory_ids = set(agent.territories.values_list("pk", flat=True))
    referrals = (
        Referral.objects.filter(candidate=candidate, territory_id__in=territory_ids)
        .exclude(status=ReferralStatus.QUEUED)  # a territory further down the list has not received it
        .prefetch_related("follow_ups")
    )
    covers = current_sharing_covers(candidate.pk)
    for referral in referrals:
        referral.candidate = candidate  # the same file: no query per referral
    if any(agent_view(referral, agent, territory_ids=territory_ids, covers=covers).cv for referral in referrals):
        return CvReader(agent=agent)
    return None


def can_view_cv(user: User, candidate: Candidate) -> bool:
    return cv_reader(user, candidate) is not None


def _ordinal(rank: int) -> str:
    return {
        1: pgettext("rang dans la liste", "1er"),
        2: pgettext("rang dans la liste", "2e"),
        3: pgettext("rang dans la liste", "3e"),
    }.get(rank, str(rank))


def referral_place_in_list(referral: Referral, *, size: int) -> str:
    """Where the territory stands in the counsellor's list: "1er de 2 territoires"."""
    if size <= 1:
        return _("Seul territoire de la liste")
    return _("%(rank)s de %(count)s territoires") % {"rank": _ordinal(referral.rank), "count": size}


def referral_page_context(referral: Referral) -> dict:
    """What the agent's page of one referral shows beyond the summary: the place in the list, and
    the counsellor's maturity checklist and decision (agent_view(...).message decides whether the
    template shows them). One query (the size of the list); the file's maturity and targets come
    with the referral (select_related "candidate__maturity", prefetch "candidate__targets")."""
    candidate = referral.candidate
    try:
        assessment = candidate.maturity
    except MaturityAssessment.DoesNotExist:
        assessment = None
    checklist: list[MaturityItem] = maturity_checklist(candidate, assessment)
    return {
        "place_in_list": referral_place_in_list(referral, size=Referral.objects.filter(chain=referral.chain).count()),
        "maturity": assessment,
        "checklist": checklist,
        "extension_days": settings.REFERRAL_REVIEW_EXTENSION_DAYS,
    }
