"""The activities' periodic task (CELERY_BEAT_SCHEDULE): runs the service of the same name."""

from celery import shared_task


@shared_task(name="activities.tasks.registrations_remind")
def registrations_remind() -> int:
    """Hourly: remind registrants two days before their activity."""
    from . import services

    return services.registrations_remind()
