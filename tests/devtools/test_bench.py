import hashlib
import json
import os
import platform
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from devtools.bench import CASES

NOTIFY_CASES = ["notify_steady", "notify_burst", "notify_baseline"]
PAGE_CASES = [name for name in CASES if name not in NOTIFY_CASES]


def _dev_database(path: Path) -> None:
    """A stand-in development database: one table, one row. The bench must neither migrate it
    nor write to it."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE dev_sentinel (id INTEGER PRIMARY KEY, note TEXT)")
        db.execute("INSERT INTO dev_sentinel (note) VALUES ('development data')")
    db.close()


def _tables_and_rows(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        counts = {table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}  # noqa: S608
    db.close()
    return counts


def test_bench_seeds_measures_and_drops_its_own_database(tmp_path):
    """The real command in a subprocess, on SQLite, with a development database beside it."""
    dev_db, var_dir, output = tmp_path / "dev.sqlite3", tmp_path / "var", tmp_path / "bench.json"
    _dev_database(dev_db)
    before = (_tables_and_rows(dev_db), hashlib.sha256(dev_db.read_bytes()).hexdigest())
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{dev_db}",
        "VAR_DIR": str(var_dir),
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "pajr.settings",
    }

    completed = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "bench",
            "--candidates",
            "200",
            "--requests",
            "3",
            "--output",
            str(output),
            "--cases",
            ",".join(PAGE_CASES),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    assert f"sqlite {var_dir / 'bench.sqlite3'}" in completed.stdout
    data = json.loads(output.read_text())
    assert data["database"] == "sqlite"
    # The machine and the interpreter, printed and recorded (devtools.machine).
    assert data["machine"]["reference_loop_ms"] > 0
    assert data["machine"]["python"]["version"] == platform.python_version()
    assert f"reference loop {data['machine']['reference_loop_ms']:.1f} ms" in completed.stdout
    assert data["rows"]["candidates"] == 200
    assert data["rows"]["referrals"] > 0
    assert data["rows"]["events"] > 200
    assert data["rows"]["coaching_notes"] > 0 and data["rows"]["maturity_assessments"] > 0
    assert list(data["cases"]) == PAGE_CASES
    for name, case in data["cases"].items():
        assert case["p50_ms"] > 0, name
        assert case["p95_ms"] >= case["p50_ms"], name
        assert case["queries"] >= 1, name
    assert data["cases"]["raw_sql"]["queries"] == 1
    assert data["cases"]["admin_changelist"]["page_size"] == 100
    # The bench database is gone, the development one untouched.
    assert not (var_dir / "bench.sqlite3").exists()
    assert (_tables_and_rows(dev_db), hashlib.sha256(dev_db.read_bytes()).hexdigest()) == before


def test_bench_reuse_measures_the_kept_database_without_seeding_it_again(tmp_path):
    """`--keep` then `--reuse`: the second run takes the same rows (a 1,000,000-candidate database
    seeds in 10 minutes; measuring it again should not)."""
    dev_db, var_dir = tmp_path / "dev.sqlite3", tmp_path / "var"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{dev_db}", "VAR_DIR": str(var_dir), "DEBUG": "true"}

    def bench(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", "bench", "--candidates", "60", "--requests", "2", "--cases", "queue",
             "--output", str(tmp_path / "b.json"), *extra],
            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    first = bench("--keep")
    assert first.returncode == 0, first.stderr[-3000:]
    rows = _tables_and_rows(var_dir / "bench.sqlite3")
    second = bench("--reuse", "--keep")
    assert second.returncode == 0, second.stderr[-3000:]

    assert "Reused: 60 candidates already there, nothing seeded." in second.stdout
    assert "Seeded in" in first.stdout and "Seeded in" not in second.stdout
    assert json.loads((tmp_path / "b.json").read_text())["cases"]["queue"]["p50_ms"] > 0
    after = _tables_and_rows(var_dir / "bench.sqlite3")
    assert after["candidates_candidate"] == rows["candidates_candidate"] == 60
    assert after["referrals_referral"] == rows["referrals_referral"]


def test_bench_refuses_an_unknown_case(tmp_path):
    completed = subprocess.run(
        [sys.executable, "manage.py", "bench", "--cases", "queue,nope", "--output", str(tmp_path / "b.json")],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}", "VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode != 0
    assert "Unknown case(s): nope" in completed.stderr
    assert not (tmp_path / "b.json").exists()


@pytest.mark.worker
def test_bench_notify_cases_run_through_a_worker_at_a_tiny_size(tmp_path):
    """The notify cases with 5 referrals each: a real worker (prefork, 4 processes) on the
    filesystem broker, an SMTP server in the command's process; every email arrives."""
    output = tmp_path / "bench.json"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        "VAR_DIR": str(tmp_path / "var"),
        "CELERY_BROKER_URL": "filesystem://",
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "pajr.settings",
    }
    completed = subprocess.run(
        [sys.executable, "manage.py", "bench", "--candidates", "200", "--output", str(output),
         "--cases", ",".join(NOTIFY_CASES), "--notify-rate", "5", "--notify-steady-seconds", "1",
         "--notify-burst", "5"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip

    assert completed.returncode == 0, completed.stderr[-3000:]
    cases = json.loads(output.read_text())["cases"]
    assert list(cases) == NOTIFY_CASES
    for name, case in cases.items():
        assert case["p50_ms"] > 0 and case["p95_ms"] >= case["p50_ms"], name
        assert case["per_second"] > 0, name
        assert case["emails"] >= 5, name  # at least one email per referral
        assert "NOT REPRESENTATIVE: filesystem broker" in case["note"], name
    assert cases["notify_steady"]["queries"] >= 1  # one referral_send's queries
    assert cases["notify_baseline"]["emails"] == 5
    assert not (tmp_path / "var" / "bench.sqlite3").exists()
