"""The whole path in Chromium, as people walk it: a candidate registers, a counsellor refers them,
the agent answers from the link in their email, the candidate sees the answer. The web server is
pytest-django's live_server; the emails go through a real Celery worker and SMTP server."""

import re
from collections.abc import Callable, Iterator

import pytest
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.conftest import chromium_path, require
from tests.factories import PASSWORD, AgentFactory, CounsellorFactory, RegionFactory, TerritoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
CANDIDATE_PASSWORD = "Saguenay-en-hiver-2026"


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
def new_page(browser, live_server) -> Iterator[Callable[[], Page]]:
    """Each call opens a page in a fresh context: its own cookies, as another person would have."""
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
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_from_registration_to_the_agents_answer(live_server, new_page, celery_worker_process, smtp_server):
    region = RegionFactory(code="02", name_fr="Saguenay–Lac-Saint-Jean")
    territory = TerritoryFactory(name="Maria-Chapdelaine", region=region)
    agent = AgentFactory(territories=[territory], first_name="Josée", last_name="Tremblay")
    counsellor = CounsellorFactory()
    celery_worker_process(site_url=live_server.url)

    # 1. The candidate registers.
    page = new_page()
    problems: list[str] = []

    def on_console(message) -> None:
        # CSP violations are console errors too. The site has no favicon: Chromium's automatic
        # request for /favicon.ico is not the page's doing.
        url = message.location.get("url", "")
        if message.type == "error" and not url.endswith("/favicon.ico"):
            problems.append(f"{message.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("link", name="Je m'inscris").click()
    expect(page).to_have_url(re.compile(r"/inscription/$"))
    page.wait_for_load_state("load")
    assert problems == [], problems

    page.get_by_label("Prénom").fill("Amina")
    page.get_by_label("Nom de famille").fill("Diallo")
    page.get_by_label("Adresse courriel").fill("amina.diallo@example.org")
    page.get_by_label("Mot de passe").fill(CANDIDATE_PASSWORD)
    page.get_by_label("Personne immigrante").check()
    page.get_by_role("combobox", name="Territoire visé").select_option(label=territory.name)
    page.get_by_label("J'accepte qu'Emplois en régions conserve mon dossier").check()
    page.get_by_role("button", name="Créer mon dossier").click()
    expect(page).to_have_url(re.compile(r"/mon-dossier/$"))
    expect(page.get_by_role("heading", name="Mon dossier")).to_be_visible()

    # 2. The counsellor signs in and refers the candidate to the territory.
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("link", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/comptes/login/$"))
    sign_in(page, counsellor.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/conseil/$"))  # a counsellor lands on the dashboard
    page.get_by_role("link", name="Amina Diallo").click()
    expect(page.get_by_role("heading", name="Amina Diallo")).to_be_visible()
    page.get_by_role("combobox", name="Territoire").select_option(label=territory.name)
    page.get_by_label("Message à l'agent·e").fill("Projet d'installation solide ; infirmière, permis en cours.")
    page.get_by_role("button", name="Envoyer l'orientation").click()
    expect(page.get_by_role("status").filter(has_text="Orientation envoyée")).to_be_visible()

    # 3. The agent's email, sent by the worker, holds their personal link.
    [to_agent] = smtp_server.wait_for(to=agent.email)
    match = re.search(re.escape(live_server.url) + r"/r/[A-Za-z0-9_-]{43}/", to_agent.text)
    assert match, to_agent.text

    # 4. The agent, who has no account, opens the link and accepts.
    agent_page = new_page()
    agent_page.goto(match.group(0))
    expect(agent_page.get_by_role("heading", level=1)).to_contain_text("Amina Diallo")
    expect(agent_page.get_by_text("Projet d'installation solide")).to_be_visible()
    agent_page.get_by_role("button", name="Accepter cette orientation").click()
    expect(agent_page.locator("#decision")).to_contain_text("Acceptée par Josée Tremblay")
    expect(agent_page.get_by_role("button", name="Accepter cette orientation")).to_have_count(0)

    # 5. The candidate and the counsellor are told; the candidate follows their email's link.
    [to_candidate] = smtp_server.wait_for(to="amina.diallo@example.org")
    smtp_server.wait_for(to=counsellor.email)
    link = re.search(re.escape(live_server.url) + r"/mon-dossier/", to_candidate.text)
    assert link, to_candidate.text
    candidate_page = new_page()
    candidate_page.goto(link.group(0))
    sign_in(candidate_page, "amina.diallo@example.org", CANDIDATE_PASSWORD)
    expect(candidate_page).to_have_url(re.compile(r"/mon-dossier/$"))
    referral = candidate_page.locator(".card").filter(has_text=territory.name)
    expect(referral).to_contain_text("Acceptée")
    expect(referral).to_contain_text("Josée Tremblay a accepté votre dossier")
    expect(referral.get_by_role("link", name=agent.email)).to_be_visible()
