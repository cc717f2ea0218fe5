"""What the territories app does when the accounts app says a person changed their account, and
when what the public directory shows changes."""

import logging

from common.kept import forget_changed

from .models import Agent
from .selectors import KEPT

logger = logging.getLogger(__name__)


def agent_follow_account(*, user, fields: list[str], **kwargs) -> None:
    """accounts.signals.account_changed: an agent changed their name or language on "Mon compte";
    their record, from which referral emails are written (referrals.services.emails), follows, so
    that the next sync from the record (agent_account_ensure) keeps the person's choice. Inside the
    sender's transaction. (Here rather than in services.py, which is at its size limit.)"""
    updated = Agent.objects.filter(user=user).update(**{field: getattr(user, field) for field in fields})
    if updated:
        forget_changed(KEPT)  # an agent's first name is on their territories' pages
        logger.info("agent_follow_account user=%s fields=%s", user.pk, ",".join(fields))


def forget_kept(update_fields=None, **_kwargs) -> None:
    """A region, unit, territory, program or agent saved or deleted, or their links changed:
    every process reads the directory's regions and pages again (territories.selectors). Not an
    agent's account linked (agent_account_ensure saves the agent's `user` only), which no public
    page shows."""
    if update_fields is not None and set(update_fields) <= {"user"}:
        return
    forget_changed(KEPT)
