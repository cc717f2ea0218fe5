"""/sante/: each check red and green for real: a worker and beat started here, a database and a
broker where nothing listens, an email stuck in the outbox, a storage that cannot write."""

import datetime
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from common.models import Heartbeat
from devtools import rig
from devtools.rig import CeleryWorker
from notifications.models import OutboxEmail, OutboxStatus
from pajr.health import WORKER_CACHE_KEY
from pajr.tasks import BEAT
from tests.conftest import require

pytestmark = pytest.mark.django_db
REPO_ROOT = Path(__file__).resolve().parents[2]
ALL_OK = {"database", "broker", "worker", "beat", "outbox", "storage", "status"}


def health(client) -> tuple[int, dict]:
    cache.delete(WORKER_CACHE_KEY)
    response = client.get(reverse("health"))
    assert "no-store" in response["Cache-Control"]
    return response.status_code, response.json()


def outbox_row(**fields) -> OutboxEmail:
    defaults = {"key": uuid.uuid4().hex, "recipient": "x@example.org", "language": "fr-ca", "template": "t"}
    return OutboxEmail.objects.create(**{**defaults, "subject": "s", **fields})


def test_without_a_worker_or_beat_the_answer_is_503_and_names_them(client):
    status, body = health(client)

    assert status == 503
    assert set(body) == ALL_OK
    assert body | {"worker": "?", "beat": "?"} == {
        "database": "ok", "broker": "ok", "worker": "?", "beat": "?", "outbox": "ok", "storage": "ok", "status": "error"
    }  # fmt: skip
    assert (body["worker"], body["beat"]) == ("error", "error")


def test_the_worker_answer_is_cached_for_a_short_time(client, settings):
    cache.set(WORKER_CACHE_KEY, True, 30)
    assert client.get(reverse("health")).json()["worker"] == "ok"  # no broadcast: the cached answer


def test_a_stale_heartbeat_is_an_error_a_recent_one_is_ok(client, settings):
    Heartbeat.objects.create(name=BEAT, at=timezone.now() - datetime.timedelta(seconds=181))
    assert health(client)[1]["beat"] == "error"
    Heartbeat.beat(BEAT)
    assert health(client)[1]["beat"] == "ok"


def test_an_email_due_and_unsent_for_too_long_is_an_error(client, settings):
    settings.HEALTH_OUTBOX_MAX_AGE_SECONDS = 600
    now = timezone.now()
    outbox_row(next_attempt_at=now - datetime.timedelta(seconds=60))  # due a minute ago: fine
    outbox_row(next_attempt_at=now - datetime.timedelta(hours=2), status=OutboxStatus.SENT, sent_at=now)
    assert health(client)[1]["outbox"] == "ok"

    outbox_row(next_attempt_at=now - datetime.timedelta(seconds=601))
    assert health(client)[1]["outbox"] == "error"


def test_a_storage_that_cannot_write_is_an_error(client, settings, tmp_path):
    (tmp_path / "a-file").write_bytes(b"")
    settings.MEDIA_ROOT = tmp_path / "a-file" / "private"  # a folder that cannot be made
    assert health(client)[1]["storage"] == "error"
    settings.MEDIA_ROOT = tmp_path / "private"
    assert health(client)[1]["storage"] == "ok"
    assert not any((tmp_path / "private").rglob("*.txt"))  # the probe is deleted


@pytest.mark.parametrize(
    ("variable", "url", "check"),
    [
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nothing", "database"),
        ("CELERY_BROKER_URL", "redis://127.0.0.1:1/0", "broker"),
    ],
)
def test_a_database_or_broker_where_nothing_listens_is_an_error(variable, url, check, tmp_path, transactional_db):
    """In a process of its own, as the web server would be with that setting."""
    env = {**os.environ, "DJANGO_READ_DOT_ENV": "0", "DEBUG": "true", "VAR_DIR": str(tmp_path)}
    env |= {"DATABASE_URL": rig.worker_database_url(), variable: url}
    script = (
        "import django, json; django.setup(); from django.test import Client;"
        "r = Client(HTTP_HOST='127.0.0.1').get('/sante/'); print(json.dumps([r.status_code, r.json()]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
        env={**env, "DJANGO_SETTINGS_MODULE": "pajr.settings"},
    )  # fmt: skip
    status, body = json.loads(done.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body[check] == "error"
    assert body["status"] == "error"
    assert "@" not in done.stdout  # nothing but states


def test_the_health_check_is_get_only(client):
    assert client.post(reverse("health")).status_code == 405


@pytest.mark.worker
def test_green_with_a_worker_on_both_queues_and_beat_then_red_when_the_worker_stops(
    client, settings, transactional_db, tmp_path
):
    """A real worker (queues default and emails) and a real beat, whose heartbeat the worker
    writes; queues of this test's own so that nothing else is consumed."""
    broker_url = settings.CELERY_BROKER_URL
    if broker_url.startswith("redis://"):
        require(rig.redis_answers(broker_url), f"Redis at {broker_url}")
    suffix = uuid.uuid4().hex[:10]
    settings.CELERY_TASK_DEFAULT_QUEUE, settings.CELERY_EMAIL_QUEUE = f"hd-{suffix}", f"he-{suffix}"
    queues = {"CELERY_TASK_DEFAULT_QUEUE": f"hd-{suffix}", "CELERY_EMAIL_QUEUE": f"he-{suffix}"}
    env = {**queues, "HEALTH_HEARTBEAT_SECONDS": "1"}
    worker = CeleryWorker.start(
        queue=f"hd-{suffix},he-{suffix}", database_url=rig.worker_database_url(), email_url="smtp://127.0.0.1:1",
        log_path=tmp_path / "worker.log", env=env, nodename=f"health-{suffix}@%h",
    )  # fmt: skip
    beat_log = tmp_path / "beat.log"
    with beat_log.open("ab") as log:
        beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "pajr", "beat", "-l", "INFO", "-s", str(tmp_path / "schedule")],
            cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, **env, "DATABASE_URL": rig.worker_database_url(), "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
    try:
        worker.wait_for_task("pajr.tasks.health_heartbeat")
        status, body = health(client)
        assert (status, body) == (200, dict.fromkeys(ALL_OK, "ok")), beat_log.read_text()
    finally:
        beat.terminate()
        beat.wait(timeout=20)
        worker.stop()
        for queue in queues.values():
            rig.queue_delete(queue)

    status, body = health(client)
    assert status == 503
    assert body["worker"] == "error"
