import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from privacy.purge import purge_personal_data
from privacy.retention import RULES_BY_CODE


class Command(BaseCommand):
    help = (
        "Apply the retention periods (settings.RETENTION): remove or anonymize what has outlived them. "
        "A dry run unless --wet-run; prints, for each rule, the rows per table."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="remove and anonymize (else only count)")
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            help="a dry run as if it were that day (YYYY-MM-DD): what will have outlived its period by then",
        )

    def handle(self, *args, wet_run: bool, as_of: datetime.date | None, **options):
        if as_of and wet_run:
            raise CommandError("--as-of is for dry runs only: the wet run applies the periods as of now.")
        now = None
        if as_of:
            now = timezone.make_aware(datetime.datetime.combine(as_of, timezone.localtime().time()))
        report = purge_personal_data(wet_run=wet_run, now=now)
        if not wet_run:
            self.stdout.write("Dry run (nothing changed; --wet-run to act)" + (f", as of {as_of}:" if as_of else ":"))
        for rule in report.rules:
            verb = "done" if wet_run else "would handle"
            rows = ", ".join(f"{table}: {count}" for table, count in sorted(rule.rows.items())) or "nothing"
            self.stdout.write(
                f"- {rule.code} ({rule.days} days; {RULES_BY_CODE[rule.code].then}) {verb}: {rows}"
                + (
                    f" [{rule.seconds:.2f} s, longest transaction {rule.longest_batch_seconds:.3f} s]"
                    if wet_run
                    else ""
                )
                + (f" [{rule.errors} already done by someone else]" if rule.errors else "")
            )
        self.stdout.write(f"Total rows: {report.total}")
