"""Writes to accounts."""

import datetime

from .models import User


def user_mark_referrals_seen(*, user: User, at: datetime.datetime) -> None:
    """Remember when `user` last marked the answers to their referrals as read (the queue's
    "Réponses" tab lists what was answered since)."""
    User.objects.filter(pk=user.pk).update(referrals_seen_at=at)
    user.referrals_seen_at = at
