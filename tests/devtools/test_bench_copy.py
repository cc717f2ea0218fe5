"""The bench's COPY seeding (devtools/bench/copy.py) writes the same rows as bulk_create.

COPY is PostgreSQL's, so the seeding runs in a subprocess on the machine's PostgreSQL (as the
backup test does) in both of CI's passes: twice, in two fresh bench databases, once with COPY and
once with bulk_create, from the same random seed and the same `now`; every seeded table is then
compared row by row, every column.
"""

import json
import os
import subprocess
import sys

PG_SERVER = os.environ.get("BENCH_COPY_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")

SCRIPT = """
import datetime, json, sys
import django
django.setup()
from django.apps import apps
from devtools.bench import bench_database, bench_seed
from devtools.bench.seeding import ROW_KEYS

NOW = datetime.datetime(2026, 11, 30, 15, 0, tzinfo=datetime.UTC)

def dump():
    tables = {}
    for model in ["accounts.User", "candidates.Candidate", *[m._meta.label for m in ROW_KEYS]]:
        queryset = apps.get_model(model).objects.order_by("pk")
        if model == "accounts.User":
            queryset = queryset.filter(role="candidate")  # staff accounts come from create_user
        tables[model] = [[repr(value) for value in row] for row in queryset.values_list()]
    return tables

def indexes():
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1")
        return cursor.fetchall()

result = {}
for copy in (True, False):
    with bench_database(keep=False, log=lambda message: None):
        _, rows = bench_seed(candidates=150, now=NOW, copy=copy, log=lambda message: None)
        result["copy" if copy else "bulk_create"] = {"rows": rows, "tables": dump(), "indexes": indexes()}
json.dump(result, sys.stdout)
"""


def test_copy_seeding_writes_what_bulk_create_writes():
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG_SERVER}/pajr_copy_test_{os.getpid()}",
        "DJANGO_SETTINGS_MODULE": "pajr.settings",
        "DEBUG": "true",
    }
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout)
    copied, bulk = result["copy"], result["bulk_create"]

    assert copied["rows"] == bulk["rows"]
    assert copied["rows"]["candidates"] == 150
    for table, rows in bulk["tables"].items():
        assert rows, f"{table}: nothing seeded, nothing compared"
        assert copied["tables"][table] == rows, table
    # COPY builds the GIN indexes again after the rows (copy.gin_indexes_built_after): the same
    # indexes as the migrations', the search's without its pending list.
    assert copied["indexes"] == bulk["indexes"]
    definitions = dict(copied["indexes"])
    assert "WITH (fastupdate=off)" in definitions["candidate_person_trgm"], definitions["candidate_person_trgm"]
    assert len([d for d in definitions.values() if " USING gin " in d]) >= 4  # the users' three too
