"""The page cases: each times a page (or the queue's SQL alone) as a signed-in coordinator, after
warm-up requests, with the query count taken from a request of its own."""

import statistics
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import admin
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from candidates.models import Candidate
from counselling.selectors import QUEUE_PAGE_SIZE

if TYPE_CHECKING:
    from .notify import NotifyOptions, NotifyRig

# The pages measured, in one place: the queue's parameters are those of counselling/filters.py
# (QueueFilter) and of its tabs (?vue=). {region} (a Region's pk, as QueueFilter.region takes it),
# {last_name}, {person} and {candidate_id} are filled in.
URLS = {
    "queue_triage": "/conseil/",  # "À trier", the tab a counsellor lands on
    "queue": "/conseil/?vue=tous",
    "queue_filtered": "/conseil/?vue=tous&region={region}&statut=new",
    "queue_search": "/conseil/?vue=tous&q={last_name}",
    # A counsellor looking for one person: the first and last names of the file case's candidate
    # (about 1 file in 3,500 holds both), found through the trigram index (candidates migration 0022).
    "queue_search_person": "/conseil/?vue=tous&q={person}",
    # The same person by their email, pasted whole: one file at every size (the names above are
    # held by ~1 file in 3,500 of the seed, so 5 at 10,000 and a full page of 50 at 1,000,000).
    "queue_search_email": "/conseil/?vue=tous&q={email}",
    "candidate_file": "/conseil/candidats/{candidate_id}/",
    "admin_changelist": "/admin/candidates/candidate/",
    "admin_search": "/admin/candidates/candidate/?q={last_name}",
    "statistics": "/statistiques/",  # issue 7: all periods, regions and profiles
}
SEARCHED_LAST_NAME = "Tremblay"  # the most common last name in Québec, and in names.LAST_NAMES
WARM_UP_REQUESTS = 2
FILTERED_REGION_CODE = "02"  # Saguenay–Lac-Saint-Jean


@dataclass
class CaseResult:
    p50_ms: float
    p95_ms: float
    queries: int
    page_size: int | None = None
    note: str = ""
    per_second: float | None = None  # the notify cases: emails received per second
    emails: int | None = None  # the notify cases: emails measured


@dataclass
class Bench:
    """What the cases need: a signed-in client, a few ids, and what the queue case captured."""

    client: Client
    requests: int
    candidate_id: int
    last_name: str
    region_id: int
    person: str  # "first+last" of candidate_id, as a query string writes it
    email: str  # candidate_id's email, as a query string writes it
    notify: "NotifyOptions"
    queue_sql: tuple[str, tuple] | None = None
    rig: "NotifyRig | None" = None  # started by the first notify case, stopped by bench_measure


def percentiles(timings: list[float]) -> tuple[float, float]:
    ms = sorted(t * 1000 for t in timings)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[-1] if len(ms) > 1 else ms[0]
    return round(statistics.median(ms), 2), round(p95, 2)


def _time_get(bench: Bench, url: str, *, record_sql: bool = False) -> CaseResult:
    for _ in range(WARM_UP_REQUESTS):
        response = bench.client.get(url)
        assert response.status_code == 200, f"GET {url}: {response.status_code}"
    executed: list[tuple[str, tuple]] = []

    def record(execute, sql, params, many, context):
        executed.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    # Counted in a request of its own: the query log slows the timed ones down. Emptied first: at
    # its 9,000-query cap (seeding with DEBUG on fills it) the log no longer grows, and counts 0.
    reset_queries()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(record):
        bench.client.get(url)
    queries = len(captured)  # now: the log is emptied at each request's start
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default=None)
    if record_sql:
        bench.queue_sql = _main_select(executed)
    timings = []
    for _ in range(bench.requests):
        start = time.perf_counter()
        bench.client.get(url)
        timings.append(time.perf_counter() - start)
    p50, p95 = percentiles(timings)
    note = ""
    if slowest is not None:
        note = f"slowest query {float(slowest['time']) * 1000:.1f} ms: {' '.join(slowest['sql'].split())[:70]}"
    return CaseResult(p50_ms=p50, p95_ms=p95, queries=queries, note=note)


def _main_select(executed: list[tuple[str, tuple]]) -> tuple[str, tuple] | None:
    """The page's SELECT of candidates (the one with a LIMIT), not the COUNT nor the prefetches."""
    table = Candidate._meta.db_table
    for sql, params in executed:
        upper = sql.lstrip().upper()
        if upper.startswith("SELECT") and f'FROM "{table}"' in sql and "LIMIT" in upper and "COUNT(" not in upper:
            return sql, params
    return None


def case_queue_triage(bench: Bench) -> CaseResult:
    """The "À trier" tab, the default one: NEW, unassigned, consenting files, with possible duplicates."""
    result = _time_get(bench, URLS["queue_triage"])
    result.page_size = QUEUE_PAGE_SIZE
    return result


def case_queue(bench: Bench) -> CaseResult:
    result = _time_get(bench, URLS["queue"], record_sql=True)
    result.page_size = QUEUE_PAGE_SIZE
    return result


def case_queue_filtered(bench: Bench) -> CaseResult:
    result = _time_get(bench, URLS["queue_filtered"].format(region=bench.region_id))
    result.page_size = QUEUE_PAGE_SIZE
    return result


def case_queue_search(bench: Bench) -> CaseResult:
    result = _time_get(bench, URLS["queue_search"].format(last_name=bench.last_name))
    result.page_size = QUEUE_PAGE_SIZE
    return result


def case_queue_search_person(bench: Bench) -> CaseResult:
    result = _time_get(bench, URLS["queue_search_person"].format(person=bench.person))
    result.page_size = QUEUE_PAGE_SIZE
    return result


def case_queue_search_email(bench: Bench) -> CaseResult:
    result = _time_get(bench, URLS["queue_search_email"].format(email=bench.email))
    result.page_size = QUEUE_PAGE_SIZE
    return result


def case_candidate_file(bench: Bench) -> CaseResult:
    return _time_get(bench, URLS["candidate_file"].format(candidate_id=bench.candidate_id))


def _candidate_admin() -> admin.ModelAdmin:
    return admin.site._registry[Candidate]


def case_admin_changelist(bench: Bench) -> CaseResult:
    result = _time_get(bench, URLS["admin_changelist"])
    result.page_size = _candidate_admin().list_per_page
    return result


def case_admin_changelist_50(bench: Bench) -> CaseResult:
    """The admin at the queue's page size, for a like-for-like comparison."""
    model_admin = _candidate_admin()
    saved = model_admin.list_per_page
    model_admin.list_per_page = QUEUE_PAGE_SIZE
    try:
        result = _time_get(bench, URLS["admin_changelist"])
        result.page_size = model_admin.list_per_page
    finally:
        model_admin.list_per_page = saved
    return result


def case_admin_search(bench: Bench) -> CaseResult:
    result = _time_get(bench, URLS["admin_search"].format(last_name=bench.last_name))
    result.page_size = _candidate_admin().list_per_page
    return result


def case_raw_sql(bench: Bench) -> CaseResult:
    """The queue page's main SELECT, re-run through a bare cursor: the database's floor."""
    if bench.queue_sql is None:
        case_queue(bench)
    if bench.queue_sql is None:
        raise RuntimeError("The queue request ran no SELECT with a LIMIT on the candidates table.")
    sql, params = bench.queue_sql
    timings = []
    with connection.cursor() as cursor:
        for i in range(WARM_UP_REQUESTS + bench.requests):
            start = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            if i >= WARM_UP_REQUESTS:
                timings.append(time.perf_counter() - start)
    p50, p95 = percentiles(timings)
    return CaseResult(p50_ms=p50, p95_ms=p95, queries=1, page_size=QUEUE_PAGE_SIZE)


def case_statistics(bench: Bench) -> CaseResult:
    return _time_get(bench, URLS["statistics"])
