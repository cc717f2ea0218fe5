"""The nightly retention purge (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task(name="privacy.tasks.purge_personal_data")
def purge_personal_data() -> int:
    """Every night: apply the retention periods. Safe to run twice at once (privacy.purge)."""
    from .purge import purge_personal_data as purge

    return purge(wet_run=True).total
