import json
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from candidates.models import Candidate
from devtools import rig
from devtools.bench import bench_seed
from devtools.bench.runner import bench_database_name
from devtools.load.generator import run_open_loop, saturated
from devtools.load.host import HostSampler
from devtools.load.mix import GROUPS, MIX, WorkingDay, prepare_actors
from devtools.load.stack import free_port, stack_environment, start_stack
from devtools.machine import describe, machine

RATES = "25,50,100,150,200"


class Command(BaseCommand):
    help = (
        "The whole stack under load: gunicorn (deploy/gunicorn.conf.py), PostgreSQL, Redis and a Celery "
        "worker on the bench database, offered a working day's mix at constant rates (open loop; latency "
        "from each request's due time). Writes load.json; stops escalating once the server saturates."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--candidates", type=int, default=100_000, help="seed this many when seeding (100,000)")
        parser.add_argument("--rates", default=RATES, help=f"offered requests per second, in order ({RATES})")
        parser.add_argument("--seconds", type=float, default=60, help="per rate (default 60)")
        parser.add_argument("--warm-up-seconds", type=float, default=5, help="unmeasured, at the first rate (5)")
        parser.add_argument("--p95-bound-ms", type=float, default=1000, help="saturated above this p95 (1000 ms)")
        parser.add_argument(
            "--reuse", action="store_true", help="use the bench database kept by `bench --keep` or `load --keep`"
        )
        parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
        parser.add_argument("--web-workers", type=int, default=None, help="gunicorn workers (default CPUs + 1)")
        parser.add_argument("--threads", type=int, default=None, help="threads per gunicorn worker (default 1)")
        parser.add_argument("--senders", type=int, default=128, help="generator threads (default 128)")
        parser.add_argument("--output", default=str(settings.BASE_DIR / "load.json"))

    def handle(self, *args, **o):
        rates = [float(r) for r in o["rates"].split(",") if r.strip()]
        if not rates or min(rates) <= 0 or o["seconds"] <= 0:
            raise CommandError("--rates and --seconds must be positive.")
        broker = settings.CELERY_BROKER_URL
        if not broker.startswith("redis://") or not rig.redis_answers(broker):
            raise CommandError(f"`make load` needs Redis (CELERY_BROKER_URL={broker!r}); see the README.")
        if connection.vendor != "postgresql":
            raise CommandError("`make load` needs PostgreSQL (DATABASE_URL=postgres://…); see the README.")
        settings_dict = connection.settings_dict
        old_name, saved_test = settings_dict["NAME"], dict(settings_dict.get("TEST") or {})
        settings_dict["TEST"] = {**saved_test, "NAME": bench_database_name(settings_dict), "SERIALIZE": False}
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=o["reuse"])
        try:
            self._run(name, rates, o)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=o["keep"])
            settings_dict["TEST"] = saved_test
            self.stdout.write(f"{'Kept' if o['keep'] else 'Dropped'} the bench database {name}.")

    def _run(self, name: str, rates: list[float], o: dict) -> None:
        found = machine()
        self.stdout.write(describe(found))
        seeded = Candidate.objects.count()
        if not seeded:
            self.stdout.write(f"Seeding {o['candidates']:,} candidates in {name}…")
            bench_seed(candidates=o["candidates"], log=self.stdout.write)
            seeded = Candidate.objects.count()
        self.stdout.write(f"Bench database {name}: {seeded:,} candidates.")
        actors = prepare_actors()
        self.stdout.write("Actors: " + ", ".join(f"{v} {k}" for k, v in actors.summary().items()))
        port = free_port()
        with tempfile.TemporaryDirectory(prefix="pajr-load-") as tmp, rig.serve_smtp() as smtp:
            env = stack_environment(
                database_url=rig.worker_database_url(),
                redis_url=settings.CELERY_BROKER_URL,
                email_url=smtp.url,
                var_dir=Path(tmp),
                port=port,
            )
            processes = start_stack(env, Path(tmp), web_workers=o["web_workers"], threads=o["threads"])
            try:
                with HostSampler() as sampler:
                    runs = self._escalate(port, rates, actors, o, sampler)
            finally:
                for process in processes:
                    process.stop()
        data = {
            "database": {"vendor": connection.vendor, "candidates": seeded},
            "machine": found,
            "stack": {"web_workers": o["web_workers"] or "CPUs + 1", "threads": o["threads"] or 1, "worker": 1},
            "mix": {"requests_share": MIX, "groups": {g: sum(MIX[e] for e in es) for g, es in GROUPS.items()}},
            "method": {
                "open_loop": True,
                "latency_from": "due time",
                "seconds_per_rate": o["seconds"],
                "p95_bound_ms": o["p95_bound_ms"],
                "warm_up_seconds": o["warm_up_seconds"],
                "senders": o["senders"],
            },
            "actors": actors.summary(),
            "rates": runs,
        }
        Path(o["output"]).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        self.stdout.write(f"Wrote {o['output']}")

    def _escalate(self, port: int, rates: list[float], actors, o: dict, sampler: HostSampler) -> list[dict]:
        day = WorkingDay(actors)
        runs = []
        if o["warm_up_seconds"] > 0:  # the workers' first requests (imports, connections) are not measured
            run_open_loop(
                host="127.0.0.1",
                port=port,
                rate=rates[0],
                seconds=o["warm_up_seconds"],
                next_request=WorkingDay(actors, seed=1, answers=False).next_request,
                senders=o["senders"],
            )
        self.stdout.write(
            f"{'offered':>8}{'achieved':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}"
            f"{'shed 503':>9}{'shed p95':>9}{'served p95':>11}{'gen CPU':>9}{'busy':>6}{'host ms':>9}"
        )
        for rate in rates:
            result = run_open_loop(
                host="127.0.0.1",
                port=port,
                rate=rate,
                seconds=o["seconds"],
                next_request=day.next_request,
                senders=o["senders"],
            )
            summary = result.summary()
            # How busy the machine was and how fast the host ran meanwhile (devtools.load.host).
            start = min((sample.due for sample in result.samples), default=0.0)
            summary["host"] = host_figures = sampler.window(start, start + o["seconds"])
            summary["saturated"] = saturated(summary, p95_bound_ms=o["p95_bound_ms"])
            runs.append(summary)
            overall = summary["overall"]
            self.stdout.write(
                f"{rate:>8.0f}{summary['achieved_rate']:>10.1f}{overall['p50_ms']:>9.0f}{overall['p95_ms']:>9.0f}"
                f"{overall['p99_ms']:>9.0f}{overall['max_ms']:>9.0f}{summary['errors']['total']:>8}"
                f"{summary['shed']['requests']:>9}{summary['shed']['p95_ms']:>9.0f}{summary['served']['p95_ms']:>11.0f}"
                f"{summary['generator_cpu_share']:>9.0%}{_share(host_figures.get('busy_share')):>6}"
                f"{_median_ms(host_figures):>9}  {summary['saturated']}"
            )
            if summary["shed"]["requests"]:
                self.stdout.write(f"{'':>8}shed by 5 s: {' '.join(map(str, summary['shed_by_5_s']))}")
                by_5_s = host_figures.get("reference_loop_ms", {}).get("by_5_s", [])
                self.stdout.write(f"{'':>8}host ms by 5 s: {' '.join(f'{ms:.0f}' if ms else '-' for ms in by_5_s)}")
            if summary["saturated"]:
                self.stdout.write("Saturated: no higher rate.")
                break
            time.sleep(2)  # the backlog of the last run drains before the next
        return runs


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _median_ms(figures: dict) -> str:
    loop = figures.get("reference_loop_ms")
    return f"{loop['median']:.0f}" if loop else "-"
