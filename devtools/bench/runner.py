"""The runner: the CASES registry, the measuring of a list of cases, the bench's own database,
and the JSON file of the results."""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from urllib.parse import quote_plus

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from accounts.models import User
from accounts.second_factor import ENROLLED_IN_SESSION
from candidates.models import Candidate
from referrals.models import Referral, ReferralStatus
from territories.models import Region

from .cases import (
    FILTERED_REGION_CODE,
    SEARCHED_LAST_NAME,
    Bench,
    CaseResult,
    case_admin_changelist,
    case_admin_changelist_50,
    case_admin_search,
    case_candidate_file,
    case_queue,
    case_queue_filtered,
    case_queue_search,
    case_queue_search_email,
    case_queue_search_person,
    case_queue_triage,
    case_raw_sql,
    case_statistics,
)
from .notify import NotifyOptions, case_notify_baseline, case_notify_burst, case_notify_steady
from .signup import case_signup_existing, case_signup_new

# Case name → function. `raw_sql` reuses the SQL the `queue` case captured. Later issues add theirs.
CASES: dict[str, Callable[[Bench], CaseResult]] = {
    "queue_triage": case_queue_triage,
    "queue": case_queue,
    "queue_filtered": case_queue_filtered,
    "queue_search": case_queue_search,
    "queue_search_person": case_queue_search_person,
    "queue_search_email": case_queue_search_email,
    "candidate_file": case_candidate_file,
    "admin_changelist": case_admin_changelist,
    "admin_changelist_50": case_admin_changelist_50,
    "admin_search": case_admin_search,
    "raw_sql": case_raw_sql,
    "statistics": case_statistics,
    "notify_steady": case_notify_steady,
    "notify_burst": case_notify_burst,
    "notify_baseline": case_notify_baseline,
    "signup_new": case_signup_new,
    "signup_existing": case_signup_existing,
}


def bench_measure(
    *, coordinator: User, cases: list[str], requests: int, notify: NotifyOptions | None = None
) -> dict[str, CaseResult]:
    """Time each case as the coordinator (a counsellor who can also open the admin), DEBUG off.
    The notify cases share one worker and SMTP server, stopped at the end."""
    candidate_id = (
        Referral.objects.filter(status=ReferralStatus.ACCEPTED).order_by("id").values_list("candidate_id", flat=True)
    ).first() or Candidate.objects.order_by("id").values_list("id", flat=True).first()
    region_id = Region.objects.get(code=FILTERED_REGION_CODE).pk
    person = Candidate.objects.filter(pk=candidate_id).values_list("first_name", "last_name", "email").first()
    first, last, email = person or ("", "", "")
    client = Client()
    client.force_login(coordinator)
    # As after a complete sign-in: the password and the second factor (accounts.second_factor).
    session = client.session
    session[ENROLLED_IN_SESSION] = True
    session.save()
    bench = Bench(
        client=client,
        requests=requests,
        candidate_id=candidate_id,
        last_name=SEARCHED_LAST_NAME,
        region_id=region_id,
        person=quote_plus(f"{first} {last}"),
        email=quote_plus(email),
        notify=notify or NotifyOptions(),
    )
    results = {}
    # The plain static storage: the pages, not a collectstatic manifest, are under test.
    static = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], STORAGES=static):
        try:
            for name in cases:
                results[name] = CASES[name](bench)
        finally:
            if bench.rig is not None:
                bench.rig.stop()
    return results


def bench_database_name(settings_dict: dict) -> str:
    """`bench_<name>` on a server; a file under VAR_DIR for SQLite. Never the development database."""
    if connection.vendor == "sqlite":
        return str(Path(settings.VAR_DIR) / "bench.sqlite3")
    return f"bench_{settings_dict['NAME']}"


@contextmanager
def bench_database(*, keep: bool, reuse: bool = False, log: Callable[[str], None] = print) -> Iterator[str]:
    """Create an empty, migrated database of its own (like the test database), switch the default
    connection to it, and drop it afterwards unless `keep`. With `reuse`, the one an earlier
    `--keep` left is taken as it is (migrated to the current schema)."""
    settings_dict = connection.settings_dict
    old_name = settings_dict["NAME"]
    saved_test = dict(settings_dict.get("TEST") or {})
    settings_dict["TEST"] = {**saved_test, "NAME": bench_database_name(settings_dict), "SERIALIZE": False}
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=reuse)
    if name == old_name:  # belt and braces: the names come from different settings
        raise RuntimeError("The bench database would be the development database.")
    try:
        yield name
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=keep)
        log(f"{'Kept' if keep else 'Dropped'} the bench database {name}.")
        settings_dict["TEST"] = saved_test


def bench_write(
    path: Path, *, rows: dict, results: dict[str, CaseResult], seeding_s: float, machine: dict | None = None
) -> dict:
    data = {
        "database": connection.vendor,
        "machine": machine,
        "rows": rows,
        "seeding_s": seeding_s,
        "cases": {name: asdict(result) for name, result in results.items()},
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return data
