"""The agents' personal links: made, sent again on request."""

import logging
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from common.urls import absolute_url
from notifications.services import outbox_enqueue
from territories.models import Agent
from territories.services import AgentAccountError, agent_account_ensure

from ..models import Referral, ReferralLink

logger = logging.getLogger(__name__)

# A new link on request: at most this many per agent and referral in a day.
NEW_LINKS_PER_DAY = 3
# A link re-sent after the referral's deadline only shows what became of it, for this long.
LATE_LINK_DAYS = 7


def ensure_agent_account(agent: Agent) -> None:
    """An agent who receives a referral can also sign in by code to see it in their space."""
    if agent.user_id is None:
        try:
            agent_account_ensure(agent=agent)
        except AgentAccountError:
            # Their address belongs to another kind of account: the link in the email still works.
            logger.warning("agent=%s has no account: address taken by another account", agent.pk)


def referral_link_create(*, referral: Referral, agent: Agent, expires_at=None) -> tuple[ReferralLink, str]:
    """A new link for one agent and one referral. The raw token is returned once and never stored.
    It works until the referral's deadline, or until `expires_at`."""
    token = secrets.token_urlsafe(32)  # 256 random bits
    link = ReferralLink.objects.create(
        referral=referral,
        agent=agent,
        token_hash=ReferralLink.hash_token(token),
        expires_at=expires_at or referral.expires_at,
    )
    return link, token


def referral_link_resend(*, token: str) -> bool:
    """ "Send me a new link", from the page of a link that no longer works. The new link goes to
    the address on file of the agent the old link was sent to, never to an address typed in.
    Returns whether a link was sent; the caller says the same thing either way, so that nobody
    learns whether a token existed."""
    link = (
        ReferralLink.objects.for_token(token)
        .filter(agent__is_active=True)
        .select_related("agent", "referral__territory", "referral__candidate", "referral__sent_by")
        .first()
    )
    if link is None:
        return False
    return referral_email_new_link(referral=link.referral, agent=link.agent)


def referral_email_new_link(*, referral: Referral, agent: Agent) -> bool:
    """Make and email a new link, at most NEW_LINKS_PER_DAY a day per agent and referral."""
    with transaction.atomic():
        agent = Agent.objects.select_for_update().get(pk=agent.pk)
        since = timezone.now() - timedelta(days=1)
        if (
            ReferralLink.objects.filter(referral=referral, agent=agent, created_at__gte=since).count()
            >= NEW_LINKS_PER_DAY
        ):
            logger.warning("referral_email_new_link refused (rate) referral=%s agent=%s", referral.pk, agent.pk)
            return False
        open_ = referral.is_open
        expires_at = referral.expires_at if open_ else timezone.now() + timedelta(days=LATE_LINK_DAYS)
        link, token = referral_link_create(referral=referral, agent=agent, expires_at=expires_at)
        outbox_enqueue(
            to=agent.email,
            language=agent.language,
            template="referral_new_link_agent",
            context={
                "referral": referral,
                "agent": agent,
                "open": open_,
                "link": absolute_url("referrals:link", token),
            },
            key=f"referral_new_link_agent:{link.pk}",
        )
        ReferralLink.objects.filter(pk=link.pk).update(sent_at=timezone.now())
    logger.info("referral_email_new_link referral=%s agent=%s", referral.pk, agent.pk)
    return True
