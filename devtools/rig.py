"""The real parts that emails travel through, for the tests and the bench: an SMTP server
(aiosmtpd) in this process and a `celery -A pajr worker` process reading the database this
process uses. Nothing is mocked.

No pytest here: a wait that fails raises RigError (an AssertionError), which the test fixtures
turn into a failed test and the bench lets through. aiosmtpd is a development dependency: only
the bench and the tests import this module.
"""

import asyncio
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
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from pajr.celery import app as celery_app

WAIT_SECONDS = 30


class RigError(AssertionError):
    """A part of the rig did not do what was waited for (the worker exited, for instance)."""


class RigTimeout(RigError):
    pass


def poll(condition: Callable[[], object], *, timeout: float, describe: Callable[[], str]) -> object:
    """Call `condition` until it returns something truthy; raise RigTimeout after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise RigTimeout(f"Timed out after {timeout:.0f} s waiting for {describe()}")
        time.sleep(0.1)
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_database_url(settings_dict: Mapping | None = None) -> str:
    """A DATABASE_URL for the database this process uses now (by default the default connection's:
    the test database once pytest-django has created it, the bench database during the bench), so
    that a worker reads and writes what this process does."""
    db = connection.settings_dict if settings_dict is None else settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        credentials = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            credentials += ":" + quote(db["PASSWORD"], safe="")
        host, port = db["HOST"] or "", f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{credentials}{'@' if credentials else ''}{host}{port}/{quote(db['NAME'], safe='')}"
    raise NotImplementedError(f"No DATABASE_URL for {db['ENGINE']}")


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


# --- SMTP ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedEmail:
    recipients: tuple[str, ...]  # the SMTP envelope's RCPT TO
    content: bytes
    arrived_at: float  # time.monotonic()

    @cached_property
    def message(self) -> EmailMessage:
        # Parsed when first read, not in the server's thread: the bench's server takes thousands.
        return email.message_from_bytes(self.content, policy=policy.default)

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
    """aiosmtpd handler: keeps every message it receives, and when each arrived by its Message-ID.
    Its methods are called from the caller's thread while the server's event loop runs in another,
    hence the condition variable.

    A test can make it misbehave: it answers "451 try again later" to the next `refuse` messages;
    while `hold` is set, DATA gets no answer (the client waits, as on a slow server), and held
    messages are never accepted; `on_accept` runs after a message is kept, before its "250"."""

    def __init__(self, refuse: int = 0) -> None:
        self._received: list[ReceivedEmail] = []
        self._changed = threading.Condition()
        self.arrived_at: dict[str, float] = {}  # Message-ID → time.monotonic()
        self.refuse = refuse
        self.refused = 0
        self.hold = False
        self.holding = False  # set when a message has been held
        # Called once a message is stored, before the "250" answer (a test kills the sender there:
        # the server has the message, the sender never records it).
        self.on_accept: Callable[[], None] | None = None
        self.host = ""
        self.port = 0

    @property
    def url(self) -> str:
        """What EMAIL_URL must be for a process to send here."""
        return f"smtp://{self.host}:{self.port}"

    async def handle_DATA(self, server, session, envelope) -> str:
        arrived = time.monotonic()
        if self.hold:
            self.holding = True
            while self.hold:
                await asyncio.sleep(0.05)
            return "421 4.3.0 Closing"
        with self._changed:
            if self.refused < self.refuse:
                self.refused += 1
                return "451 4.3.0 Try again later"
        # The headers alone: cheap enough for the bench's bursts.
        message_id = BytesHeaderParser().parsebytes(envelope.original_content, headersonly=True)["Message-ID"]
        with self._changed:
            self._received.append(ReceivedEmail(tuple(envelope.rcpt_tos), envelope.original_content, arrived))
            self.arrived_at[str(message_id or "").strip()] = arrived
            self._changed.notify_all()
        if self.on_accept is not None:
            self.on_accept()
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
            raise RigTimeout(
                f"Timed out after {timeout:.0f} s waiting for {count} email(s)"
                f"{f' to {to}' if to else ''}; received: {[str(m) for m in self.received] or 'nothing'}"
            )
        return self.matching(predicate, to=to)

    def wait_for_ids(self, message_ids: Iterable[str], *, timeout: float) -> bool:
        """Block until every Message-ID has arrived; False if some had not after `timeout` seconds."""
        wanted = set(message_ids)
        with self._changed:
            return self._changed.wait_for(lambda: wanted <= self.arrived_at.keys(), timeout=timeout)

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


@contextmanager
def serve_smtp(collector: SMTPCollector | None = None) -> Iterator[SMTPCollector]:
    """An SMTP server on a free loopback port, handled by `collector` (a new one by default)."""
    collector = collector or SMTPCollector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    collector.host, collector.port = controller.hostname, controller.port
    try:
        yield collector
    finally:
        controller.stop()


# --- Celery worker ---------------------------------------------------------------------------


@contextmanager
def own_queue(prefix: str) -> Iterator[str]:
    """A queue of its own, for the workers started inside: meanwhile this process publishes to it.
    On the way out, the previous settings come back and the queue leaves the broker."""
    queue = f"{prefix}-{uuid.uuid4().hex[:12]}"
    saved = {key: celery_app.conf[key] for key in ("task_default_queue", "task_always_eager")}
    # The router reads task_default_queue at each publish (verified with Celery 5.7 on the
    # filesystem and Redis transports), so .delay() and .delay_on_commit() go to `queue`.
    celery_app.conf.update(task_default_queue=queue, task_always_eager=False)
    try:
        yield queue
    finally:
        celery_app.conf.update(saved)
        queue_delete(queue)


def queue_delete(queue: str) -> None:
    """Remove what the workers and the publisher left on the broker for `queue`."""
    with celery_app.connection_for_write() as conn:
        bound = celery_app.amqp.queues[queue](conn.default_channel)
        bound.declare()  # so that the channel knows the bindings it is asked to delete
        bound.delete()
    if celery_app.conf.broker_url.startswith("filesystem://"):
        control = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["control_folder"])
        (control / f"{queue}.exchange").unlink(missing_ok=True)


@dataclass
class CeleryWorker:
    process: subprocess.Popen
    log_path: Path
    queue: str
    site_url: str = ""

    @classmethod
    def start(
        cls,
        *,
        queue: str,
        database_url: str,
        email_url: str,
        log_path: Path,
        site_url: str | None = None,
        env: Mapping[str, str] | None = None,
        pool: str = "solo",
        concurrency: int | None = None,
        nodename: str | None = None,
        ready_timeout: float = WAIT_SECONDS,
    ) -> "CeleryWorker":
        """Start `celery -A pajr worker` consuming `queue` only, with this process's environment
        plus DATABASE_URL, EMAIL_URL, SITE_URL and `env`; return once it is ready. Its output
        is appended to `log_path`."""
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "EMAIL_URL": email_url,
            **({"SITE_URL": site_url} if site_url is not None else {}),
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        command = [sys.executable, "-m", "celery", "-A", "pajr", "worker", "-P", pool, "-Q", queue]
        command += ["-c", str(concurrency)] if concurrency else []
        command += ["-n", nodename] if nodename else []
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]
        with log_path.open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        worker = cls(process=process, log_path=log_path, queue=queue, site_url=site_url or "")
        try:
            worker.wait_for_log(r"\S+ ready\.", timeout=ready_timeout)
        except BaseException:
            worker.stop()
            raise
        return worker

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.splitlines()[-lines:])

    def wait_for_log(self, pattern: str, *, count: int = 1, timeout: float = WAIT_SECONDS) -> None:
        """Wait until `pattern` (a regular expression) occurs `count` times in the worker's log."""
        regex = re.compile(pattern)

        def found() -> bool:
            if self.process.poll() is not None:
                raise RigError(f"The Celery worker exited with code {self.process.returncode}:\n{self.log}")
            return len(regex.findall(self.log)) >= count

        poll(found, timeout=timeout, describe=lambda: f"{pattern!r} x{count} in the worker's log:\n{self.log}")

    def wait_for_task(self, task_name: str, *, count: int = 1) -> None:
        """Wait until the worker reports `count` successful runs of the task."""
        self.wait_for_log(rf"Task {re.escape(task_name)}\[[^\]]+\] succeeded", count=count)

    def stop(self, *, grace: float = 10) -> None:
        """Warm shutdown (the current tasks finish), killed after `grace` seconds."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
