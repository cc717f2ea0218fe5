"""A worker keeps its database connection from one task to the next, for CONN_MAX_AGE, as the web
does from one request to the next (pajr/celery.py, CELERY_DB_REUSE_MAX). Celery's Django fixup
closed it around every task, so each email opened a PostgreSQL connection of its own."""

import time
from types import SimpleNamespace

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection, transaction

from notifications.models import OutboxEmail, OutboxStatus
from pajr.celery import app as celery_app
from pajr.celery import tasks_share_connections
from tests.e2e.conftest import poll
from tests.notifications.test_faults import enqueue


def a_task(*, eager: bool) -> SimpleNamespace:
    """What the task_prerun and task_postrun signals are sent with: the task, and its request."""
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


@pytest.fixture
def open_connection(transactional_db):
    """The default connection, open, in autocommit, young enough for CONN_MAX_AGE to keep it."""
    connection.ensure_connection()
    connection.close_at = time.monotonic() + 60
    return connection.connection


def test_celerys_fixup_no_longer_closes_the_connection_around_a_task(open_connection):
    fixup = DjangoWorkerFixup(celery_app)
    for _ in range(10):
        fixup.on_task_prerun(sender=a_task(eager=False))
        fixup.on_task_postrun(sender=a_task(eager=False))
    assert connection.connection is open_connection


def test_around_a_task_a_connection_is_kept_until_it_is_too_old(open_connection):
    tasks_share_connections(sender=a_task(eager=False))
    assert connection.connection is open_connection

    connection.close_at = time.monotonic() - 1  # older than CONN_MAX_AGE
    tasks_share_connections(sender=a_task(eager=False))
    assert connection.connection is None


def test_a_task_run_eagerly_leaves_its_callers_connection_alone(open_connection):
    connection.close_at = time.monotonic() - 1
    with transaction.atomic():
        tasks_share_connections(sender=a_task(eager=True))
        assert connection.connection is open_connection
        assert OutboxEmail.objects.count() == 0


def _sessions_started() -> int:
    """PostgreSQL's count of the connections ever opened to this database (14 and later)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def _cut_other_connections() -> int:
    """What a restart of PostgreSQL does to the worker's connection; the count of those cut."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _all_sent(emails: list[OutboxEmail]) -> None:
    sent = OutboxEmail.objects.filter(pk__in=[email.pk for email in emails], status=OutboxStatus.SENT)
    poll(
        lambda: sent.count() == len(emails), timeout=10, describe=lambda: f"{sent.count()} of {len(emails)} marked sent"
    )


@pytest.mark.worker
def test_a_worker_sends_on_one_database_connection_and_reconnects_once_it_is_cut(celery_worker_process, smtp_server):
    if connection.vendor != "postgresql":
        # SQLite has no server to connect to: CONN_MAX_AGE is 0, a task opens the file.
        assert connection.settings_dict["CONN_MAX_AGE"] == 0
        return
    celery_worker_process()  # one process (the solo pool)
    connection.ensure_connection()
    before = _sessions_started()

    _all_sent(enqueue(20))
    assert smtp_server.wait_for(count=20)
    # Before CELERY_DB_REUSE_MAX: one connection per email, 20.
    assert _sessions_started() - before <= 2

    assert _cut_other_connections() >= 1
    cut_at = time.monotonic()
    [email] = enqueue(1, to="after-cut@paj.example.org")
    smtp_server.wait_for(to=email.recipient, timeout=10)
    _all_sent([email])
    # The health check before the task found the connection gone and opened another: the email
    # did not wait for a retry (5 s) or the overdue sweep (8 s).
    assert time.monotonic() - cut_at < 4
    email.refresh_from_db()
    assert email.attempts == 1
