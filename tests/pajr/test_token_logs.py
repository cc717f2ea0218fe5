"""The token of an agent's emailed link (/r/<token>/) never reaches a log: not gunicorn's access
log (a real gunicorn, started with the project's gunicorn.conf.py), not Django's own records."""

import contextlib
import logging
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

from common.redaction import REDACTED, RedactLinkTokens, redact

TOKEN = "Zx9secretTokenQ7"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_redact_keeps_the_pages_after_the_link_and_hides_the_token():
    assert redact(f"GET /r/{TOKEN}/ HTTP/1.1") == f"GET {REDACTED}/ HTTP/1.1"
    assert redact(f"/r/{TOKEN}/?lang=en") == f"{REDACTED}/?lang=en"
    assert redact("/r/lien/abc/cv/") == "/r/lien/abc/cv/"
    assert redact("/referentiel/") == "/referentiel/"


def test_django_log_records_are_redacted_by_the_console_handler():
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactLinkTokens) for f in h.filters)]
    assert handlers, "the console handler filters link tokens (settings.LOGGING)"
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", (f"/r/{TOKEN}/",), None)

    RedactLinkTokens().filter(record)

    assert TOKEN not in record.getMessage() and REDACTED in record.getMessage()


@pytest.fixture
def gunicorn(tmp_path):
    """A real gunicorn on a free loopback port, with the project's configuration and a database of
    its own, writing its access log to a file."""
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
    }
    env.pop("CELERY_BROKER_URL", None)
    root = Path(settings.BASE_DIR)
    python = Path(sys.executable)
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=root, env=env, check=True, timeout=120)
    port, log = free_port(), tmp_path / "access.log"
    server = subprocess.Popen(
        [python.parent / "gunicorn", "pajr.wsgi", "--bind", f"127.0.0.1:{port}", "--access-logfile", str(log)],
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
            pytest.fail("gunicorn did not start: " + server.stderr.read1().decode()[-2000:])
        yield f"http://127.0.0.1:{port}", log
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_gunicorn_s_access_log_never_records_a_link_token(gunicorn):
    base, log = gunicorn
    for path in (f"/r/{TOKEN}/", f"/r/{TOKEN}/?x=1"):
        # An unknown token answers an error page: what matters is the log line.
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(base + path, timeout=10)  # noqa: S310 (http on loopback)
    for _attempt in range(50):
        if log.exists() and log.read_text().count("/r/") >= 2:
            break
        time.sleep(0.1)

    written = log.read_text()
    assert written.count(f"{REDACTED}/") >= 2, written
    assert TOKEN not in written
