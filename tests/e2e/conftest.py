"""Fixtures for the tests that use the real parts: an SMTP server, a Celery worker process and
(in test_browser_path.py) Chromium. Nothing here is mocked: the worker is `celery -A pajr worker`
reading the test database, and emails travel over SMTP."""

import email
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from pajr.celery import app as celery_app
from tests.conftest import chromium_path, require

REPO_ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 30
WORKER_LOG_KEY = pytest.StashKey[Path]()
SMTP_KEY = pytest.StashKey["SMTPCollector"]()


def poll(condition: Callable[[], object], *, timeout: float, describe: Callable[[], str]) -> object:
    """Call `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout:.0f} s waiting for {describe()}")
        time.sleep(0.1)
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- SMTP ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedEmail:
    recipients: tuple[str, ...]  # the SMTP envelope's RCPT TO
    message: EmailMessage

    @property
    def subject(self) -> str:
        return self.message["Subject"]

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()

    def is_to(self, address: str) -> bool:
        return address.lower() in {r.lower() for r in self.recipients}

    def __str__(self) -> str:
        return f"to={', '.join(self.recipients)} subject={self.subject!r}"


class SMTPCollector:
    """aiosmtpd handler: keeps every message it receives. Its methods are called from the test's
    thread while the server's event loop runs in another, hence the condition variable."""

    def __init__(self) -> None:
        self._received: list[ReceivedEmail] = []
        self._changed = threading.Condition()
        self.host = ""
        self.port = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        with self._changed:
            self._received.append(ReceivedEmail(tuple(envelope.rcpt_tos), message))
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    @property
    def received(self) -> list[ReceivedEmail]:
        with self._changed:
            return list(self._received)

    def matching(self, predicate: Callable[[ReceivedEmail], bool] | None = None, *, to: str | None = None):
        return [m for m in self.received if (to is None or m.is_to(to)) and (predicate is None or predicate(m))]

    def wait_for(
        self,
        predicate: Callable[[ReceivedEmail], bool] | None = None,
        *,
        to: str | None = None,
        count: int = 1,
        timeout: float = WAIT_SECONDS,
    ) -> list[ReceivedEmail]:
        """Block until at least `count` received messages match; return the matching messages."""
        with self._changed:
            arrived = self._changed.wait_for(lambda: len(self.matching(predicate, to=to)) >= count, timeout=timeout)
        if not arrived:
            pytest.fail(
                f"Timed out after {timeout:.0f} s waiting for {count} email(s)"
                f"{f' to {to}' if to else ''}; received: {[str(m) for m in self.received] or 'nothing'}"
            )
        return self.matching(predicate, to=to)

    def assert_no_more(
        self,
        predicate: Callable[[ReceivedEmail], bool] | None = None,
        *,
        to: str | None = None,
        count: int = 1,
        within: float = 1.5,
    ) -> None:
        """Wait `within` seconds and check that no more than `count` messages match (no duplicate)."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.matching(predicate, to=to)) > count, timeout=within)
        found = self.matching(predicate, to=to)
        assert len(found) == count, f"expected {count} email(s), got {len(found)}: {[str(m) for m in found]}"


@pytest.fixture
def smtp_server(request) -> Iterator[SMTPCollector]:
    collector = SMTPCollector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    collector.host, collector.port = controller.hostname, controller.port
    request.node.stash[SMTP_KEY] = collector
    yield collector
    controller.stop()


# --- Celery worker ---------------------------------------------------------------------------


def worker_database_url() -> str:
    """A DATABASE_URL for the database this test runs against (the test database, once
    pytest-django has created it), so that the worker reads and writes what the test does."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        credentials = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            credentials += ":" + quote(db["PASSWORD"], safe="")
        host = db["HOST"] or ""
        port = f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{credentials}{'@' if credentials else ''}{host}{port}/{quote(db['NAME'], safe='')}"
    raise NotImplementedError(f"No DATABASE_URL for {db['ENGINE']}")


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@dataclass
class CeleryWorker:
    process: subprocess.Popen
    log_path: Path
    queue: str
    site_url: str

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, pattern: str, *, count: int = 1, timeout: float = WAIT_SECONDS) -> None:
        """Wait until `pattern` (a regular expression) occurs `count` times in the worker's log."""
        regex = re.compile(pattern)

        def found() -> bool:
            if self.process.poll() is not None:
                pytest.fail(f"The Celery worker exited with code {self.process.returncode}:\n{self.log}")
            return len(regex.findall(self.log)) >= count

        poll(found, timeout=timeout, describe=lambda: f"{pattern!r} x{count} in the worker's log:\n{self.log}")

    def wait_for_task(self, task_name: str, *, count: int = 1) -> None:
        """Wait until the worker reports `count` successful runs of the task."""
        self.wait_for_log(rf"Task {re.escape(task_name)}\[[^\]]+\] succeeded", count=count)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown: finish the current task
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _delete_queue(queue: str) -> None:
    """Remove what the worker and the publisher left on the broker for the test's queue."""
    with celery_app.connection_for_write() as conn:
        bound = celery_app.amqp.queues[queue](conn.default_channel)
        bound.declare()  # so that the channel knows the bindings it is asked to delete
        bound.delete()
    if celery_app.conf.broker_url.startswith("filesystem://"):
        control = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["control_folder"])
        (control / f"{queue}.exchange").unlink(missing_ok=True)


@pytest.fixture
def celery_worker_process(request, transactional_db, smtp_server, tmp_path) -> Iterator[Callable[..., CeleryWorker]]:
    """Start a real worker with `celery_worker_process(site_url=...)`. It consumes a queue of its
    own, to which this process publishes for the duration of the test, and sends email to
    `smtp_server`. The worker reads what the test commits: hence `transactional_db`."""
    if request.node.get_closest_marker("worker") is None:
        pytest.fail("A test that starts a Celery worker must be marked @pytest.mark.worker")
    broker_url = celery_app.conf.broker_url
    if broker_url.startswith("redis://"):
        require(redis_answers(broker_url), f"Redis at {broker_url}")

    queue = f"e2e-{uuid.uuid4().hex[:12]}"
    workers: list[CeleryWorker] = []
    saved = {key: celery_app.conf[key] for key in ("task_default_queue", "task_always_eager")}
    # The router reads task_default_queue at each publish (verified with Celery 5.7 on the
    # filesystem and Redis transports), so .delay() and .delay_on_commit() go to `queue`.
    celery_app.conf.task_default_queue = queue
    celery_app.conf.task_always_eager = False

    def start(*, site_url: str = "http://pajr.test") -> CeleryWorker:
        assert not workers, "one worker per test"
        env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "EMAIL_URL": f"smtp://{smtp_server.host}:{smtp_server.port}",
            "SITE_URL": site_url,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PYTHONUNBUFFERED": "1",
        }
        log_path = tmp_path / "celery-worker.log"
        request.node.stash[WORKER_LOG_KEY] = log_path
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "pajr", "worker", "-P", "solo",
                 "--without-gossip", "--without-mingle", "--without-heartbeat",
                 "-l", "INFO", "-Q", queue],
                cwd=REPO_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        worker = CeleryWorker(process=process, log_path=log_path, queue=queue, site_url=site_url)
        workers.append(worker)
        worker.wait_for_log(r"celery@\S+ ready\.")
        return worker

    yield start

    for worker in workers:
        worker.stop()
    for key, value in saved.items():
        celery_app.conf[key] = value
    _delete_queue(queue)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, show the worker's log and the emails the SMTP server received."""
    report = yield
    if report.failed:
        if log_path := item.stash.get(WORKER_LOG_KEY, None):
            text = log_path.read_text(errors="replace") if log_path.exists() else "(no log)"
            report.sections.append(("Celery worker log", text))
        if collector := item.stash.get(SMTP_KEY, None):
            report.sections.append(("Emails received", "\n".join(map(str, collector.received)) or "(none)"))
    return report


# --- Chromium ----------------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def browser(transactional_db, monkeypatch) -> Iterator[Browser]:
    require(chromium_path() is not None, "Chromium")
    # Playwright's sync API marks an event loop as running in this thread, so Django would refuse
    # the ORM calls the test makes between two clicks.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # Meanwhile Django's connection handler (an asgiref Local) gave the test other connections
        # than outside Playwright: close them here, or PostgreSQL cannot drop the test database.
        connections.close_all()


@pytest.fixture
def new_page(browser, live_server, settings) -> Iterator[Callable[[], Page]]:
    """Each call opens a page in a fresh context: its own cookies, as another person would have.
    Emails are written by the web process: their links point to the live server."""
    settings.SITE_URL = live_server.url
    contexts: list[BrowserContext] = []

    def open_page() -> Page:
        context = browser.new_context(base_url=live_server.url, locale="fr-CA")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
