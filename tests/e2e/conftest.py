"""Fixtures for the tests that use the real parts: an SMTP server, a Celery worker process and
(in test_browser_path.py) Chromium. Nothing here is mocked: the worker is `celery -A pajr worker`
reading the test database, and emails travel over SMTP. The server and the worker are those of
devtools.rig, which the bench uses too; here they are pytest fixtures."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from devtools import rig
from devtools.rig import CeleryWorker, SMTPCollector
from pajr.celery import app as celery_app
from tests.conftest import chromium_path, require

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKER_LOG_KEY = pytest.StashKey[Path]()
SMTP_KEY = pytest.StashKey[SMTPCollector]()


def poll(condition: Callable[[], object], *, timeout: float, describe: Callable[[], str]) -> object:
    """Call `condition` until it returns something truthy; fail after `timeout` seconds."""
    try:
        return rig.poll(condition, timeout=timeout, describe=describe)
    except rig.RigTimeout as error:
        failure = str(error)
    pytest.fail(failure)


@pytest.fixture
def smtp_server(request) -> Iterator[SMTPCollector]:
    """An SMTP server on a free port, which a test can also make refuse or hold messages."""
    with rig.serve_smtp() as collector:
        request.node.stash[SMTP_KEY] = collector
        yield collector


@pytest.fixture
def celery_worker_process(request, transactional_db, smtp_server, tmp_path) -> Iterator[Callable[..., CeleryWorker]]:
    """Start a real worker with `celery_worker_process(site_url=...)`. It consumes a queue of its
    own, to which this process publishes for the duration of the test, and sends email to
    `smtp_server`. The worker reads what the test commits: hence `transactional_db`."""
    if request.node.get_closest_marker("worker") is None:
        pytest.fail("A test that starts a Celery worker must be marked @pytest.mark.worker")
    broker_url = celery_app.conf.broker_url
    if broker_url.startswith("redis://"):
        require(rig.redis_answers(broker_url), f"Redis at {broker_url}")

    workers: list[CeleryWorker] = []
    with rig.own_queue("e2e") as queue:

        def start(*, site_url: str = "http://pajr.test") -> CeleryWorker:
            assert not workers, "one worker per test"
            log_path = tmp_path / "celery-worker.log"
            request.node.stash[WORKER_LOG_KEY] = log_path
            try:
                worker = CeleryWorker.start(
                    queue=queue,
                    database_url=rig.worker_database_url(),
                    email_url=smtp_server.url,
                    site_url=site_url,
                    log_path=log_path,
                )
            except rig.RigError as error:  # it did not start: it is stopped already
                failure = str(error)
            else:
                workers.append(worker)
                return worker
            pytest.fail(failure)

        yield start

        for worker in workers:
            worker.stop()


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


def sign_in(page: Page, email: str, password: str) -> None:
    """On the sign-in page: the address and the password, then, for staff, the current code of the
    authenticator app every staff member of the tests has (tests.factories.TOTP_SECRET)."""
    from tests.factories import totp_code

    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("form[action*='/comptes/login/'] button[type=submit]").click()
    page.wait_for_load_state()
    if "/comptes/2fa/authenticate/" in page.url:
        page.locator("#id_code").fill(totp_code())
        page.locator("#id_code").press("Enter")
        page.wait_for_load_state()
