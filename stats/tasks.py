from celery import shared_task

from .rollups import statistics_refresh
from .sections import warm_sections


@shared_task(name="stats.tasks.statistics_refresh")
def statistics_refresh_task() -> int:
    """Rebuild the statistics' rollups (beat: every STATS_REFRESH_SECONDS), then render the
    unfiltered page's sections into the cache (stats.sections). Returns the rebuild's duration in ms."""
    refresh = statistics_refresh()
    warm_sections(refresh)
    return refresh.duration_ms
