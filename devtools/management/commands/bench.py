import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.models import User
from candidates.models import Candidate
from devtools.bench import CASES, NotifyOptions, bench_database, bench_measure, bench_seed, bench_write
from devtools.machine import describe, machine


class Command(BaseCommand):
    help = (
        "Seed a realistic data set in a database of its own (created and dropped like the test "
        "database: the development data is never touched) and time the counsellors' pages."
    )
    # No system checks: some open the configured database (a JSONField's check asks SQLite whether
    # it supports JSON), and on SQLite connecting switches the development file to WAL.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--candidates", type=int, default=100_000, help="candidates to seed (default 100,000)")
        parser.add_argument("--requests", type=int, default=30, help="timed requests per case (default 30)")
        parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated subset of: {', '.join(CASES)}")
        parser.add_argument(
            "--notify-rate", type=float, default=20, help="notify_steady: referrals per second (default 20)"
        )
        parser.add_argument(
            "--notify-steady-seconds", type=float, default=30, help="notify_steady: for how long (default 30)"
        )
        parser.add_argument(
            "--notify-burst",
            type=int,
            default=1000,
            help="notify_burst: referrals at once; notify_baseline: plain emails (default 1,000)",
        )
        parser.add_argument("--keep", action="store_true", help="keep the bench database for inspection")
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="measure the bench database an earlier --keep left, without seeding (1,000,000 take 10 minutes)",
        )
        parser.add_argument("--output", default=str(settings.BASE_DIR / "bench.json"), help="default bench.json")

    def handle(self, *args, candidates, requests, cases, keep, reuse, output, **options):
        notify = NotifyOptions(
            rate=options["notify_rate"], steady_seconds=options["notify_steady_seconds"], burst=options["notify_burst"]
        )
        names = [name.strip() for name in cases.split(",") if name.strip()]
        unknown = sorted(set(names) - set(CASES))
        if unknown:
            raise CommandError(f"Unknown case(s): {', '.join(unknown)}. Known: {', '.join(CASES)}.")
        if candidates < 1 or requests < 1:
            raise CommandError("--candidates and --requests must be at least 1.")
        if notify.rate <= 0 or notify.steady_seconds <= 0 or notify.burst < 1:
            raise CommandError("--notify-rate, --notify-steady-seconds and --notify-burst must be positive.")
        found = machine()
        self.stdout.write(describe(found))
        with bench_database(keep=keep, reuse=reuse, log=self.stdout.write) as name:
            self.stdout.write(f"Bench database: {connection.vendor} {name} (the development database is not used)")
            coordinator = User.objects.filter(is_superuser=True).order_by("id").first() if reuse else None
            if coordinator is not None:
                seeding, rows = 0.0, {"candidates": Candidate.objects.count()}
                self.stdout.write(f"Reused: {rows['candidates']:,} candidates already there, nothing seeded.")
            else:
                start = time.perf_counter()
                coordinator, rows = bench_seed(candidates=candidates, log=self.stdout.write)
                seeding = time.perf_counter() - start
                self.stdout.write(f"Seeded in {seeding:.1f} s: " + ", ".join(f"{v:,} {k}" for k, v in rows.items()))
            results = bench_measure(coordinator=coordinator, cases=names, requests=requests, notify=notify)
            bench_write(Path(output), rows=rows, results=results, seeding_s=round(seeding, 1), machine=found)
        self.stdout.write(f"\n{requests} timed requests per case after warm-up, DEBUG off, server side:\n")
        self.stdout.write("notify_*: per email, from commit (steady) or release (burst, baseline) to SMTP.\n")
        self.stdout.write(f"{'case':<22}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}{'per page':>10}{'per s':>8}  note")
        for case, r in results.items():
            per_second = "" if r.per_second is None else f"{r.per_second:.1f}"
            self.stdout.write(
                f"{case:<22}{r.p50_ms:>9.1f}{r.p95_ms:>9.1f}{r.queries:>9}{r.page_size or '':>10}{per_second:>8}"
                f"  {r.note}"
            )
        self.stdout.write(f"\nWrote {output}")
