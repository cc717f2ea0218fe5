"""Referral emails are written to the outbox (notifications) in the transaction of the change
that causes them; the only referral task left is the periodic expiry."""

from celery import shared_task

from .services import referrals_expire_overdue


@shared_task
def referrals_expire() -> int:
    """Celery beat runs it every few minutes (CELERY_BEAT_SCHEDULE). Safe to run twice at once."""
    return referrals_expire_overdue()
