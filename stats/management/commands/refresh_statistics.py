from django.core.management.base import BaseCommand

from stats.rollups import statistics_refresh


class Command(BaseCommand):
    help = "Rebuild the statistics' rollups now (beat does it every STATS_REFRESH_SECONDS)."

    def handle(self, *args, **options):
        refresh = statistics_refresh()
        self.stdout.write(f"Statistics rebuilt in {refresh.duration_ms} ms.")
