"""`make run` runs Procfile.dev under honcho. Ctrl-C (SIGINT to the terminal's process group)
must stop the web server, the worker and beat, and leave nothing running."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(root: int) -> set[int]:
    """Every process below `root` (whatever its process group or session), read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition, *, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} within {timeout} s; output:\n{log.read_text(errors='replace')}")


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)  # noqa: S310 - a loopback URL the test made
    except urllib.error.HTTPError:
        return True  # any HTTP answer: the server is up
    except OSError:
        return False
    return True


@pytest.mark.worker  # a real worker and beat, waited for in seconds: .ci/run's timed part
def test_ctrl_c_stops_web_worker_and_beat_and_leaves_nothing(tmp_path):
    port = free_port()
    log = tmp_path / "run.log"
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
        "DJANGO_READ_DOT_ENV": "0",
        "DEBUG": "true",
        "VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "PYTHONUNBUFFERED": "1",
        "WEB_PORT": str(port),
    }
    env.pop("REDIS_URL", None)
    (tmp_path / "var").mkdir()
    # The command of `make run` (Makefile), in a session of its own as a terminal would give it.
    with log.open("wb") as out:
        honcho = subprocess.Popen(
            [VENV_BIN / "honcho", "--procfile", "Procfile.dev", "--env", "/dev/null", "start", "--port", str(port)],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/sante/"), timeout=60, what="the web server answers", log=log)
        wait_for(lambda: " ready." in log.read_text(errors="replace"), timeout=60, what="the worker is ready", log=log)
        wait_for(lambda: "beat: Starting" in log.read_text(errors="replace"), timeout=60, what="beat starts", log=log)
        running = descendants(honcho.pid)
        commands = {Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode() for pid in running}
        assert any("runserver" in c for c in commands)
        assert any("worker" in c and "celery" in c for c in commands)
        assert any(" beat" in c for c in commands)

        os.killpg(honcho.pid, signal.SIGINT)  # what Ctrl-C does in a terminal

        assert honcho.wait(timeout=15) is not None
        wait_for(lambda: not [pid for pid in running if alive(pid)], timeout=5, what="every process ends", log=log)
        assert not answers(f"http://127.0.0.1:{port}/sante/")
    finally:
        if honcho.poll() is None:
            os.killpg(honcho.pid, signal.SIGKILL)
        for pid in descendants(honcho.pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize(
    ("variables", "site_url"),
    [
        ({"PORT": "8801"}, "http://127.0.0.1:8801"),
        ({"PORT": "8901", "WEB_PORT": "8801"}, "http://127.0.0.1:8801"),  # honcho's worker under make run
        ({"PORT": "8801", "SITE_URL": "https://pajr.example.org"}, "https://pajr.example.org"),
    ],
)
def test_site_url_follows_the_web_port_when_it_is_not_set(variables, site_url):
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "WEB_PORT", "SITE_URL")}
    env.update(variables, DJANGO_READ_DOT_ENV="0", DEBUG="true", DJANGO_SETTINGS_MODULE="pajr.settings")
    printed = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True, timeout=60,
    ).stdout.strip()  # fmt: skip
    assert printed == site_url
