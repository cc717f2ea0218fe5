"""The referrals' periodic work (Celery beat: referrals.tasks): expiry, reminders to agents, the
counsellors' daily digest. Each is safe to run twice at once: each email has an outbox key, and
the ones that carry a new link check their key under the referral's lock before making the link."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.urls import absolute_url
from notifications.selectors import outbox_has_key
from notifications.services import outbox_enqueue
from territories.models import Agent

from ..locks import lock_referral
from ..models import AWAITING_ANSWER, Referral, ReferralStatus, ReferralTransition
from .links import referral_link_create
from .workflow import referral_expire

logger = logging.getLogger(__name__)

DIGEST_STATUSES = (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.EXPIRED)


def referrals_expire_overdue() -> int:
    """Expire every overdue referral. Each in its own transaction, so one failure does not hold
    back the others."""
    expired = 0
    for referral in Referral.objects.overdue().only("pk").order_by("expires_at"):
        if referral_expire(referral=referral):
            expired += 1
    if expired:
        logger.info("referrals_expire_overdue expired=%s", expired)
    return expired


def _agents_who_received(referral: Referral):
    """The agents emailed the referral's link who are still active agents of its territory."""
    return (
        Agent.objects.active()
        .filter(
            territories=referral.territory_id,
            referral_links__referral=referral,
            referral_links__sent_at__isnull=False,
        )
        .distinct()
        .order_by("pk")
    )


def _referral_email_agents_again(*, referral_id: int, template: str, statuses=AWAITING_ANSWER) -> int:
    """Email `template` (a reminder) to each agent who received the open referral `referral_id`,
    once, with a new personal link to the same deadline: the raw token exists only in the outbox
    row's body, which is emptied once sent, so an agent never has to dig out the first email.
    The referral's lock and the key check come before the link, so that a second run at once
    makes neither a second email nor a spare link. Only while the referral's status is one of
    `statuses` (checked under the lock: the agent may have put it under review meanwhile)."""
    sent = 0
    with transaction.atomic():
        _candidate, referral = lock_referral(referral_id)
        if not referral.is_open or referral.status not in statuses or not referral.territory.is_active:
            return 0
        for agent in _agents_who_received(referral):
            key = f"{template}:{referral.pk}:{agent.pk}"
            if outbox_has_key(key=key):
                continue
            link, token = referral_link_create(referral=referral, agent=agent)
            outbox_enqueue(
                to=agent.email,
                language=agent.language,
                template=template,
                context={
                    "referral": referral,
                    "agent": agent,
                    "link": absolute_url("referrals:link", token),
                    "space": absolute_url("referrals:agent_home"),
                },
                key=key,
            )
            link.sent_at = timezone.now()
            link.save(update_fields=["sent_at"])
            sent += 1
    return sent


def referrals_remind_unanswered(*, now=None) -> int:
    """Referrals pending for REFERRAL_REMINDER_DAYS without an answer, and not about to expire
    (those get referral_expires_soon_agent), remind their agents once. Not a referral under
    review: its agent said they are looking into it."""
    now = now or timezone.now()
    due = Referral.objects.pending().filter(
        sent_at__lte=now - timedelta(days=settings.REFERRAL_REMINDER_DAYS),
        expires_at__gt=now + timedelta(days=1),
    )
    sent = sum(
        _referral_email_agents_again(
            referral_id=pk, template="referral_reminder_agent", statuses=(ReferralStatus.PENDING,)
        )
        for pk in due.order_by("sent_at").values_list("pk", flat=True)
    )
    if sent:
        logger.info("referrals_remind_unanswered sent=%s", sent)
    return sent


def referrals_warn_expiring(*, now=None) -> int:
    """Referrals whose deadline is less than 24 hours away warn their agents once, under review
    too: the deadline still holds (extended or not), and passing it lets the referral expire."""
    now = now or timezone.now()
    due = Referral.objects.awaiting_answer().filter(expires_at__gt=now, expires_at__lte=now + timedelta(days=1))
    sent = sum(
        _referral_email_agents_again(referral_id=pk, template="referral_expires_soon_agent")
        for pk in due.order_by("expires_at").values_list("pk", flat=True)
    )
    if sent:
        logger.info("referrals_warn_expiring sent=%s", sent)
    return sent


def referrals_answers_digest(*, now=None) -> int:
    """The daily digest: each active counsellor who has not turned it off (User.daily_digest, on
    their "Mon compte") with at least one referral of their candidates accepted, declined or
    expired in the 24 hours before `now` gets one email listing them; the key holds the counsellor
    and the local day, so the day's digest goes once. The file's counsellor receives it (the
    sender when the file has none). Returns the emails enqueued."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    transitions = (
        ReferralTransition.objects.filter(
            to_status__in=DIGEST_STATUSES, created_at__gt=now - timedelta(days=1), created_at__lte=now
        )
        .select_related(
            "referral__candidate__counsellor", "referral__sent_by", "referral__territory", "referral__answered_by"
        )
        .order_by("created_at", "pk")
    )
    answers: dict[User, list[Referral]] = {}
    for transition in transitions:
        referral = transition.referral
        if referral.candidate.anonymized_at is not None:
            continue
        counsellor = referral.candidate.counsellor or referral.sent_by
        if counsellor.is_counsellor and counsellor.daily_digest:  # off on their "Mon compte"
            answers.setdefault(counsellor, []).append(referral)
    sent = 0
    for counsellor, referrals in answers.items():
        key = f"answers_digest_counsellor:{counsellor.pk}:{day.isoformat()}"
        if outbox_has_key(key=key):
            continue
        outbox_enqueue(
            to=counsellor.email,
            language=counsellor.language,
            template="answers_digest_counsellor",
            context={
                "counsellor": counsellor,
                "referrals": referrals,
                "day": day,
                "link": absolute_url("counselling:queue") + "?vue=reponses",
            },
            key=key,
        )
        sent += 1
    logger.info("referrals_answers_digest day=%s sent=%s", day, sent)
    return sent
