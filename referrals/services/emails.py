"""The referral's emails, written to the outbox in the transaction of the change that causes them
(they leave after commit). Links are built from SITE_URL."""

import logging

from django.db import transaction
from django.utils import timezone

from candidates.choices import AnonymizationReason
from common.urls import absolute_url
from notifications.services import outbox_enqueue

from ..models import Referral, ReferralStatus
from .links import ensure_agent_account, referral_link_create

logger = logging.getLogger(__name__)


def referral_email_agents(*, referral: Referral) -> int:
    """Email each active agent of the territory their own link, once. Safe to run again: agents
    already emailed are skipped; a link without its email (a crash in between) is replaced."""
    if referral.status != ReferralStatus.PENDING:
        return 0
    already_sent = set(referral.links.filter(sent_at__isnull=False).values_list("agent_id", flat=True))
    sent = 0
    for agent in referral.territory.agents.active():
        if agent.pk in already_sent:
            continue
        ensure_agent_account(agent)
        # The link, its email in the outbox and `sent_at` commit together (`sent_at`: the email
        # is in the outbox; the outbox sends it).
        with transaction.atomic():
            referral.links.filter(agent=agent, sent_at__isnull=True).delete()
            link, token = referral_link_create(referral=referral, agent=agent)
            outbox_enqueue(
                to=agent.email,
                language=agent.language,
                template="referral_new_agent",
                context={"referral": referral, "agent": agent, "link": absolute_url("referrals:link", token)},
                key=f"referral_new_agent:{referral.pk}:{agent.pk}",
            )
            link.sent_at = timezone.now()
            link.save(update_fields=["sent_at"])
        sent += 1
    logger.info("referral_email_agents referral=%s sent=%s", referral.pk, sent)
    return sent


def referral_email_answer(*, referral: Referral) -> None:
    """Tell the candidate and the counsellor what the agent answered, and what happens next."""
    candidate = referral.candidate
    context = {
        "referral": referral,
        "candidate": candidate,
        "agent": referral.answered_by,
        "next_referral": Referral.objects.successor_of(referral)
        if referral.status == ReferralStatus.DECLINED
        else None,
    }
    outbox_enqueue(
        to=candidate.email,
        language=candidate.language,
        template="referral_answered_candidate",
        context={**context, "link": absolute_url("my_file:home")},
        key=f"referral_answered_candidate:{referral.pk}",
    )
    counsellor = referral.sent_by
    outbox_enqueue(
        to=counsellor.email,
        language=counsellor.language,
        template="referral_answered_counsellor",
        context={**context, "link": absolute_url("counselling:file", candidate.pk)},
        key=f"referral_answered_counsellor:{referral.pk}",
    )


def referral_email_under_review(*, referral: Referral, agent) -> None:
    """Tell the counsellor and the person that the agent is looking into the referral, and until
    when they have to answer."""
    candidate = referral.candidate
    context = {"referral": referral, "candidate": candidate, "agent": agent}
    if candidate.anonymized_at is None:
        outbox_enqueue(
            to=candidate.email,
            language=candidate.language,
            template="referral_under_review_candidate",
            context={**context, "link": absolute_url("my_file:home")},
            key=f"referral_under_review_candidate:{referral.pk}",
        )
    counsellor = referral.sent_by
    outbox_enqueue(
        to=counsellor.email,
        language=counsellor.language,
        template="referral_under_review_counsellor",
        context={**context, "link": absolute_url("counselling:file", candidate.pk)},
        key=f"referral_under_review_counsellor:{referral.pk}",
    )


def referral_email_expired(*, referral: Referral) -> None:
    """Tell the counsellor that the territory let the referral expire, and what happens next."""
    counsellor = referral.sent_by
    outbox_enqueue(
        to=counsellor.email,
        language=counsellor.language,
        template="referral_expired_counsellor",
        context={
            "referral": referral,
            "candidate": referral.candidate,
            "next_referral": Referral.objects.successor_of(referral),
            "link": absolute_url("counselling:file", referral.candidate_id),
        },
        key=f"referral_expired_counsellor:{referral.pk}",
    )


def referral_email_withdrawn(*, referral: Referral) -> None:
    """Tell the agents who received the referral that it no longer waits for them."""
    for link in referral.links.filter(sent_at__isnull=False).select_related("agent"):
        outbox_enqueue(
            to=link.agent.email,
            language=link.agent.language,
            template="referral_withdrawn_agent",
            context={"referral": referral, "agent": link.agent},
            key=f"referral_withdrawn_agent:{referral.pk}:{link.agent_id}",
        )


def referral_email_candidate_referred(*, referral: Referral) -> None:
    """Tell the candidate which territory now has their file and until when it has to answer."""
    candidate = referral.candidate
    if candidate.anonymized_at is not None:
        return
    outbox_enqueue(
        to=candidate.email,
        language=candidate.language,
        template="referral_sent_candidate",
        context={"candidate": candidate, "referral": referral, "link": absolute_url("my_file:home")},
        key=f"referral_sent_candidate:{referral.pk}",
    )


def referral_email_withdrawn_counsellor(*, referral: Referral, anonymized: str = "") -> None:
    """Tell the file's counsellor that a referral waiting for an answer was withdrawn because the
    person withdrew their consent to sharing, or because the file is being anonymized
    (`anonymized`, an AnonymizationReason: the email then names neither the person nor the
    file). Inside the caller's transaction."""
    referral = Referral.objects.select_related("candidate__counsellor", "sent_by", "territory").get(pk=referral.pk)
    candidate = referral.candidate
    counsellor = candidate.counsellor if candidate.counsellor and candidate.counsellor.is_active else referral.sent_by
    outbox_enqueue(
        to=counsellor.email,
        language=counsellor.language,
        template="referral_withdrawn_counsellor",
        context={
            "referral": referral,
            "candidate": candidate,
            "account_deleted": anonymized == AnonymizationReason.ACCOUNT_DELETED,
            "anonymized": bool(anonymized),
            "link": absolute_url("counselling:file", candidate.pk),
        },
        key=f"referral_withdrawn_counsellor:{referral.pk}",
    )
