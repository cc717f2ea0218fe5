"""The server side of `make load`: gunicorn with the production configuration
(deploy/gunicorn.conf.py) and a Celery worker on both queues, reading the bench database, on
this machine's PostgreSQL and Redis. No nginx: the figures are the application's."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class ServerProcess:
    name: str
    popen: subprocess.Popen
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_until(self, ready, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.popen.returncode}):\n{self.log[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s:\n{self.log[-3000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)


def stack_environment(*, database_url: str, redis_url: str, email_url: str, var_dir: Path, port: int) -> dict:
    """Production's settings (DEBUG off, Redis cache and broker, the fixed queues), over plain
    HTTP on loopback: no TLS proxy in front, so no HTTPS redirect and no secure-only cookies."""
    return {
        **os.environ,
        "DJANGO_READ_DOT_ENV": "0",
        "DEBUG": "false",
        # This process's: the sessions it opened for the generator are signed with it.
        "SECRET_KEY": settings.SECRET_KEY,
        "SITE_URL": f"http://127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis_url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": "default",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": email_url,
        "VAR_DIR": str(var_dir),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": str(var_dir / "gunicorn-access.log"),
        "PYTHONUNBUFFERED": "1",
    }


def start_stack(env: dict, var_dir: Path, *, web_workers: int | None, threads: int | None) -> list[ServerProcess]:
    """collectstatic (the manifest DEBUG-off pages need), then gunicorn and one worker; returns
    once both are ready."""
    var_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=settings.BASE_DIR, env=env, check=True
    )
    if web_workers:
        env = {**env, "WEB_CONCURRENCY": str(web_workers)}
    if threads:
        env = {**env, "GUNICORN_THREADS": str(threads)}
    commands = {
        "gunicorn": [str(BIN / "gunicorn"), "pajr.wsgi", "-c", "deploy/gunicorn.conf.py"],
        "worker": [str(BIN / "celery"), "-A", "pajr", "worker", "-Q", "default,emails", "-l", "WARNING"],
    }
    processes = []
    for name, command in commands.items():
        log_path = var_dir / f"{name}.log"
        with log_path.open("ab") as log:
            popen = subprocess.Popen(  # noqa: S603 - our own commands
                command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        processes.append(ServerProcess(name, popen, log_path))
    port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
    try:
        processes[0].wait_until(lambda: _port_answers(port))
        processes[1].wait_until(lambda: re.search(r"\S+ ready\.", processes[1].log) or _worker_ping(env))
    except BaseException:
        for process in processes:
            process.stop()
        raise
    return processes


def _worker_ping(env: dict) -> bool:
    """At log level WARNING the worker does not say it is ready: ask it."""
    result = subprocess.run(  # noqa: S603
        [str(BIN / "celery"), "-A", "pajr", "inspect", "ping", "--timeout", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return "pong" in result.stdout
