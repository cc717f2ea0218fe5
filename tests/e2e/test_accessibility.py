"""axe-core (bundled by axe-playwright-python, run in Debian's Chromium) on the platform's pages,
in French and in English. Any serious or critical violation fails the test."""

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from django.urls import reverse
from playwright.sync_api import Browser, Page, sync_playwright

from referrals.services import referral_link_create
from tests.conftest import chromium_path, require
from tests.e2e.conftest import sign_in as sign_in_here
from tests.factories import PASSWORD, AgentFactory, CandidateFactory, CounsellorFactory, ReferralFactory

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
BLOCKING = {"serious", "critical"}


@pytest.fixture
def browser(transactional_db, monkeypatch) -> Iterator[Browser]:
    require(chromium_path() is not None, "Chromium")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        connections.close_all()


def audit(page: Page, path: str) -> list[str]:
    page.goto(path)
    results = Axe().run(page)
    return [
        f"{path} [{v['impact']}] {v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def sign_in(page: Page, email: str) -> None:
    page.goto(reverse("account_login"))
    sign_in_here(page, email, PASSWORD)


@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_pages_have_no_serious_accessibility_violation(browser, live_server, language):
    counsellor = CounsellorFactory()
    referral = ReferralFactory(candidate__first_name="Amina", sent_by=counsellor)
    agent = AgentFactory(territories=[referral.territory])
    _, token = referral_link_create(referral=referral, agent=agent)
    candidate = referral.candidate
    CandidateFactory()

    def new_page() -> Page:
        context = browser.new_context(base_url=live_server.url)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        return context.new_page()

    visitor = new_page()
    problems = [
        *audit(visitor, "/"),
        *audit(visitor, reverse("candidates:register")),
        *audit(visitor, reverse("privacy:policy")),
        *audit(visitor, reverse("account_login")),
        *audit(visitor, reverse("account_reset_password")),
        *audit(visitor, reverse("referrals:link", args=[token])),
        *audit(visitor, "/r/not-a-valid-token/"),
    ]
    visitor.goto(reverse("candidates:register"))
    visitor.locator("form[action$='/inscription/'] button[type=submit]").click()  # every error shown
    visitor.wait_for_load_state()
    problems += [p.replace("/inscription/", "/inscription/ (errors)") for p in audit(visitor, visitor.url)]

    staff = new_page()
    sign_in(staff, counsellor.email)
    problems += [
        *audit(staff, reverse("counselling:queue")),
        *audit(staff, reverse("counselling:file", args=[candidate.pk])),
    ]

    person = new_page()
    sign_in(person, candidate.email)
    problems += audit(person, reverse("my_file:home"))

    assert problems == [], "\n".join(problems)
