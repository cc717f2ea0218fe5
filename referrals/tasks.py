"""The referrals' periodic tasks (CELERY_BEAT_SCHEDULE). Each runs the service of the same name
and is safe to run twice at once. The registered names are those beat has always used, so that
a message already queued still finds its task."""

from celery import shared_task

from . import services


@shared_task(name="referrals.tasks.referrals_expire")
def referrals_expire_overdue() -> int:
    """Every few minutes: expire the referrals whose time to answer ran out."""
    return services.referrals_expire_overdue()


@shared_task(name="referrals.tasks.referrals_remind")
def referrals_remind_unanswered() -> int:
    """Hourly: remind agents of referrals unanswered for a few days."""
    return services.referrals_remind_unanswered()


@shared_task(name="referrals.tasks.referrals_expiring")
def referrals_warn_expiring() -> int:
    """Hourly: warn agents of referrals that expire within 24 hours."""
    return services.referrals_warn_expiring()


@shared_task(name="referrals.tasks.referrals_digest")
def referrals_answers_digest() -> int:
    """Daily at 17:00: each counsellor's digest of the day's answers."""
    return services.referrals_answers_digest()


@shared_task(name="referrals.tasks.follow_up_checkins")
def follow_up_checkins_remind() -> int:
    """Daily: announce the follow-up check-ins that came due."""
    return services.follow_up_checkins_remind()
