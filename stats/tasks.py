from celery import shared_task
from django.conf import settings
from django.utils import translation

from .rollups import statistics_refresh
from .selectors import NO_FILTERS, all_tables


@shared_task(name="stats.tasks.statistics_refresh")
def statistics_refresh_task() -> int:
    """Rebuild the statistics' rollups (beat: every STATS_REFRESH_SECONDS), then compute the
    unfiltered tables in each language into the cache, so that the first visit after a rebuild
    is as fast as the next ones. Returns the rebuild's duration in ms."""
    refresh = statistics_refresh()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            all_tables(refresh=refresh, **NO_FILTERS)
    return refresh.duration_ms
