"""The configuration's own periodic task (CELERY_IMPORTS names this module)."""

from celery import shared_task

from common.models import Heartbeat

BEAT = "beat"


@shared_task(name="pajr.tasks.health_heartbeat")
def health_heartbeat() -> None:
    """Every minute from beat, run by a worker of the default queue: /sante/ reads its time."""
    Heartbeat.beat(BEAT)
