from celery import shared_task

from .rollups import statistics_refresh


@shared_task(name="stats.tasks.statistics_refresh")
def statistics_refresh_task() -> int:
    """Rebuild the statistics' rollups (beat: every STATS_REFRESH_SECONDS). Returns its duration
    in ms."""
    return statistics_refresh().duration_ms
