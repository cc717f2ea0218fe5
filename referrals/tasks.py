"""Referral emails are written to the outbox (notifications) in the transaction of the change
that causes them; the tasks here are the periodic ones. Each is safe to run twice at once."""

from celery import shared_task

from .agent_services import follow_up_checkins_remind
from .services import (
    referrals_answers_digest,
    referrals_expire_overdue,
    referrals_remind_unanswered,
    referrals_warn_expiring,
)


@shared_task
def referrals_expire() -> int:
    """Celery beat runs it every few minutes (CELERY_BEAT_SCHEDULE). Safe to run twice at once."""
    return referrals_expire_overdue()


@shared_task
def referrals_remind() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): remind agents of referrals unanswered for a few days."""
    return referrals_remind_unanswered()


@shared_task
def referrals_expiring() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): warn agents of referrals that expire within 24 hours."""
    return referrals_warn_expiring()


@shared_task
def referrals_digest() -> int:
    """Daily at 17:00 (CELERY_BEAT_SCHEDULE): each counsellor's digest of the day's answers."""
    return referrals_answers_digest()


@shared_task
def follow_up_checkins() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): announce the follow-up check-ins that came due."""
    return follow_up_checkins_remind()
