import shutil
import subprocess
from collections.abc import Callable, Iterator

import pytest

from devtools.rig import SMTPCollector, free_port, redis_answers, serve_smtp
from tests.conftest import require

# The real worker of the end-to-end tests and its SMTP server, which the tests here make refuse or
# hold messages; and their report when a test fails.
from tests.e2e.conftest import celery_worker_process, poll, pytest_runtest_makereport, smtp_server  # noqa: F401


@pytest.fixture
def refusing_smtp(settings) -> Iterator[SMTPCollector]:
    """A real SMTP server on a free port, and Django's mail sent to it (not to locmem)."""
    with serve_smtp() as collector:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": collector.host, "port": collector.port, "timeout": 5},
            }
        }
        yield collector


@pytest.fixture
def redis_server(tmp_path) -> Iterator[Callable[[], None]]:
    """A redis-server of this test's own. Yields `restart`; `.stop()` on it stops the server."""
    binary = shutil.which("redis-server")
    require(binary is not None, "redis-server")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    processes: list[subprocess.Popen] = []

    def start() -> None:
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(tmp_path)]
        processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        poll(lambda: redis_answers(url), timeout=10, describe=lambda: f"redis-server on {port}")

    def stop() -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)

    start()
    start.url, start.stop = url, stop  # type: ignore[attr-defined]
    yield start
    stop()
