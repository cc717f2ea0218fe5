"""Load shedding (pajr/gunicorn_worker.py): a real gunicorn with the project's configuration, one
worker and one thread; requests that wait longer than GUNICORN_SHED_AFTER_MS for the thread get the
platform's 503 page at once, in the visitor's language, with Retry-After; the others are served."""

import concurrent.futures
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from pajr.gunicorn_worker import _waited, shedding, visitor_language


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(tmp_path, **variables: str):
    """gunicorn with the production configuration and one worker, on tests.pajr.slow_wsgi; yields
    its address and stops it after."""
    env = {
        **os.environ,
        "DJANGO_READ_DOT_ENV": "0",
        "DEBUG": "false",
        "SECRET_KEY": "test-" + "x" * 50,
        "SITE_URL": "http://127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path / "var"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "smtp://127.0.0.1:1",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "1",
        "GUNICORN_ACCESS_LOG": str(tmp_path / "access.log"),
        **variables,
    }
    env.pop("CELERY_BROKER_URL", None)
    root = Path(settings.BASE_DIR)
    port = free_port()
    server = subprocess.Popen(
        [Path(sys.executable).parent / "gunicorn", "tests.pajr.slow_wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"gunicorn did not start: {server.stderr.read().decode()[-2000:]}")
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def gunicorn(tmp_path):
    with serving(tmp_path, GUNICORN_SHED_AFTER_MS="100") as (address, _server):
        yield address


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, str, float]:
    started = time.monotonic()
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (http://127.0.0.1 only)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            status, head, body = response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        status, head, body = error.code, dict(error.headers), error.read().decode()
    return status, head, body, time.monotonic() - started


def test_requests_that_wait_too_long_get_a_fast_503_with_retry_after_and_the_platform_page(gunicorn):
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        first = pool.submit(fetch, f"{gunicorn}/lent/")
        time.sleep(0.05)  # the thread is busy for 1 s: the next ones queue behind it
        queued = [pool.submit(fetch, f"{gunicorn}/lent/") for _ in range(6)]
        results = [first.result(), *(future.result() for future in queued)]

    assert results[0][0] == 200
    shed = [result for result in results if result[0] == 503]
    # Each queued request waited > 100 ms for the one thread; each one shed costs well under that,
    # so the whole queue drains in about the first request's 1 s, not 7 × 1 s. (With 300 ms and a
    # bound of 1.5 s, a slow CI machine once took 1.53 s: the margin now holds three seconds.)
    assert len(shed) >= 5, [result[0] for result in results]
    assert max(result[3] for result in results) < 4
    _status, head, body, _seconds = shed[0]
    assert head["Retry-After"] == "5" and head["Cache-Control"] == "no-store"
    assert "La plateforme est très sollicitée en ce moment" in body and "Rien n'a été enregistré" in body


def test_the_shed_page_is_in_the_visitor_s_language(gunicorn):
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        busy = pool.submit(fetch, f"{gunicorn}/lent/")
        time.sleep(0.05)
        english = pool.submit(fetch, f"{gunicorn}/lent/", {"Cookie": "django_language=en"})
        results = [busy.result(), english.result()]

    status, head, body, _seconds = results[1]
    assert status == 503 and "The platform is very busy right now" in body
    assert head["Content-Language"] == "en"


def test_no_wait_no_shedding(gunicorn):
    for _ in range(3):
        assert fetch(f"{gunicorn}/lent/")[0] == 200


def test_the_health_probe_is_never_shed_and_a_short_wait_passes():
    def app(environ, start_response):
        start_response("200 OK", [])
        return [b"run"]

    wrapped = shedding(app, after_ms=100)
    statuses = []

    def start_response(status, headers):
        statuses.append(status)

    for path, waited in (("/sante/", 5_000), ("/", 50), ("/", 5_000)):
        _waited.ms = waited
        wrapped({"PATH_INFO": path}, start_response)
    _waited.ms = 0.0

    assert statuses == ["200 OK", "200 OK", "503 Service Unavailable"]


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"HTTP_COOKIE": "a=b; django_language=en"}, "en"),
        ({"HTTP_COOKIE": "django_language=fr-ca", "HTTP_ACCEPT_LANGUAGE": "en-US"}, "fr"),
        ({"HTTP_ACCEPT_LANGUAGE": "en-CA,en;q=0.9"}, "en"),
        ({}, "fr"),
    ],
)
def test_visitor_language(environ, language):
    assert visitor_language(environ) == language


class _Heartbeat:
    def __init__(self):
        self.touched = 0

    def notify(self):
        self.touched += 1


def test_the_worker_tells_the_arbiter_it_is_alive_once_a_second_not_on_every_turn(monkeypatch):
    from pajr import gunicorn_worker

    worker = object.__new__(gunicorn_worker.SheddingThreadWorker)  # only its notify() is used
    worker.tmp = _Heartbeat()
    clock = [1000.0]
    monkeypatch.setattr(gunicorn_worker.time, "monotonic", lambda: clock[0])
    for _turn in range(50):  # fifty turns of the loop within a second
        worker.notify()
        clock[0] += 0.015
    assert worker.tmp.touched == 1
    clock[0] += 1.0
    worker.notify()
    assert worker.tmp.touched == 2


def test_a_worker_with_a_short_timeout_stays_alive_idle_and_busy(tmp_path):
    """The arbiter kills a worker whose heartbeat is older than --timeout: with 2 s, the same worker
    answers through 4.5 s of requests and after 2.5 s of idling."""
    with serving(tmp_path, GUNICORN_TIMEOUT="2") as (address, server):
        pids = set()
        deadline = time.monotonic() + 4.5
        while time.monotonic() < deadline:
            status, head, _body, _took = fetch(f"{address}/pid/")
            assert status == 200
            pids.add(head["X-Worker-Pid"])
            time.sleep(0.3)
        time.sleep(2.5)  # idle for longer than the timeout
        status, head, _body, _took = fetch(f"{address}/pid/")
        pids.add(head["X-Worker-Pid"])
        assert len(pids) == 1, pids
        server.terminate()
        assert b"WORKER TIMEOUT" not in server.communicate(timeout=30)[1]
