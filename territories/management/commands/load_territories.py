from django.core.management.base import BaseCommand

from territories.services import territories_load


class Command(BaseCommand):
    help = "Load Québec's regions, MRC/TE units and the known PAJ territories (dry run unless --wet-run)."

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="write the changes")

    def handle(self, *args, wet_run: bool, **options):
        report = territories_load(wet_run=wet_run)
        verb = "Loaded" if wet_run else "Dry run (nothing written; --wet-run to write):"
        for kind in report.created:
            self.stdout.write(f"{verb} {kind}: {report.created[kind]} new, {report.updated[kind]} updated")
