import logging
import smtplib

from celery import shared_task

from territories.models import Agent

from .models import Referral
from .services import (
    referral_email_agents,
    referral_email_answer,
    referral_email_expired,
    referral_email_new_link,
    referral_email_withdrawn,
    referrals_expire_overdue,
)

logger = logging.getLogger(__name__)

# A mail server that is down or refuses for a while: retry with growing, jittered delays.
RETRY = {
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


def _referral(referral_id: int) -> Referral | None:
    referral = (
        Referral.objects.select_related("candidate", "territory", "sent_by", "answered_by")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        logger.warning("referral=%s not found; nothing to send", referral_id)
    return referral


@shared_task(**RETRY)
def referral_notify_agents(referral_id: int) -> None:
    if referral := _referral(referral_id):
        referral_email_agents(referral=referral)


@shared_task(**RETRY)
def referral_notify_answer(referral_id: int) -> None:
    if referral := _referral(referral_id):
        referral_email_answer(referral=referral)


@shared_task(**RETRY)
def referral_notify_expired(referral_id: int) -> None:
    if referral := _referral(referral_id):
        referral_email_expired(referral=referral)


@shared_task(**RETRY)
def referral_notify_withdrawn(referral_id: int) -> None:
    if referral := _referral(referral_id):
        referral_email_withdrawn(referral=referral)


@shared_task(**RETRY)
def referral_send_new_link(referral_id: int, agent_id: int) -> None:
    referral = _referral(referral_id)
    agent = Agent.objects.filter(pk=agent_id, is_active=True).first()
    if referral and agent:
        referral_email_new_link(referral=referral, agent=agent)


@shared_task
def referrals_expire() -> int:
    """Celery beat runs it every few minutes (CELERY_BEAT_SCHEDULE). Safe to run twice at once."""
    return referrals_expire_overdue()
