"""Activities in Chromium: an agent publishes a séjour exploratoire from their space, a candidate
finds it from Mon dossier and registers, the agent marks them present once it started. And the
public calendar, an activity's page, Mon dossier and the agent's pages at 1,280 and 390 px, in
French and English: nothing scrolls sideways, axe-core finds no serious or critical violation.
Screenshots go to var/screenshots/ (SCREENSHOT_DIR)."""

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from activities.models import Activity, Registration
from activities.services import registration_create
from territories.models import SettlementProgram
from territories.services import agent_account_ensure
from tests.activities.factories import ActivityFactory, started
from tests.e2e.test_accessibility import audit, browser  # noqa: F401  (browser: a fixture)
from tests.factories import AgentFactory, CandidateFactory, CounsellorFactory, RegionFactory, TerritoryFactory

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(settings.BASE_DIR) / "var" / "screenshots"))


def page_as(browser, live_server, *, user=None, width: int = 1280, language: str = "fr-ca") -> Page:  # noqa: F811
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    context.set_default_timeout(10_000)
    cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookies.append({"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url})
    context.add_cookies(cookies)
    return context.new_page()


def no_sideways_scroll(page: Page) -> str | None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    return None if widths[0] <= widths[1] else f"{page.url} scrolls sideways: {widths[0]} > {widths[1]} px"


def test_an_agent_publishes_a_candidate_registers_the_agent_marks_attendance_the_counsellor_sees_it(
    browser,  # noqa: F811
    live_server,
):
    territory = TerritoryFactory(name="La Haute-Gaspésie", region=RegionFactory(code="11"))
    agent = AgentFactory(territories=[territory])
    agent_account_ensure(agent=agent)
    counsellor = CounsellorFactory()
    candidate = CandidateFactory(first_name="Amina", last_name="Diallo", counsellor=counsellor, status="coaching")

    agent_page = page_as(browser, live_server, user=agent.user)
    agent_page.goto("/agent/")
    agent_page.locator("main").get_by_role("link", name="Mes activités").click()
    agent_page.get_by_role("link", name="Publier une activité").click()
    start = timezone.localtime() + datetime.timedelta(days=20)
    agent_page.locator("#id_kind").select_option("exploratory_stay")
    agent_page.locator("#id_title_fr").fill("Séjour exploratoire en Haute-Gaspésie")
    agent_page.locator("#id_description_fr").fill("Trois jours : employeurs, logements, garderie.")
    agent_page.locator("#id_starts_at").fill(start.strftime("%Y-%m-%dT09:00"))
    agent_page.locator("#id_ends_at").fill((start + datetime.timedelta(days=2)).strftime("%Y-%m-%dT17:00"))
    agent_page.locator("#id_place").fill("Hôtel de ville de Sainte-Anne-des-Monts")
    agent_page.locator("#id_capacity").fill("8")
    deadline = (start - datetime.timedelta(days=5)).strftime("%Y-%m-%dT17:00")
    agent_page.locator("#id_registration_deadline").fill(deadline)
    agent_page.locator("#id_cancellation_deadline").fill(deadline)
    agent_page.get_by_role("button", name="Publier").click()
    expect(agent_page.locator(".alert-success, .alert")).to_contain_text("publiée")
    activity = Activity.objects.get()

    person = page_as(browser, live_server, user=candidate.user)
    person.goto("/mon-dossier/")
    person.get_by_role("link", name="Voir les activités à venir").click()
    person.get_by_role("link", name="Séjour exploratoire en Haute-Gaspésie").click()
    person.get_by_role("button", name="Je m'inscris").click()
    expect(person.locator("main")).to_contain_text("Vous êtes inscrit·e.")
    person.goto("/mon-dossier/")
    expect(person.locator("#my-activities").locator("..")).to_contain_text("Séjour exploratoire en Haute-Gaspésie")

    started(activity)
    agent_page.goto(f"/agent/activites/{activity.pk}/")
    expect(agent_page.locator("#registrants")).to_contain_text("Amina Diallo")
    agent_page.get_by_role("button", name="Amina Diallo : présent·e").click()
    expect(agent_page.locator("#registrants")).to_contain_text("Présent·e")
    assert Registration.objects.get().attended is True

    eer = page_as(browser, live_server, user=counsellor)
    eer.goto(f"/conseil/candidats/{candidate.pk}/")
    explored = eer.locator("#maturite li", has_text="Région déjà explorée")
    expect(explored).to_contain_text("La Haute-Gaspésie")
    expect(explored.locator(".badge")).to_have_text("fait")
    expect(eer.locator("#maturite input[name=region_explored]")).to_be_checked()
    eer.screenshot(path=SCREENSHOTS / "activities-counsellor-checklist-fr-1280.png", full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_the_activity_pages_in_both_languages_and_widths(browser, live_server, language, width):  # noqa: F811
    region = RegionFactory(code="11", name_fr="Gaspésie–Îles-de-la-Madeleine", name_en="Gaspésie–Îles-de-la-Madeleine")
    territory = TerritoryFactory(name="La Haute-Gaspésie", region=region)
    agent = AgentFactory(territories=[territory])
    agent_account_ensure(agent=agent)
    full = ActivityFactory(
        territory=territory,
        capacity=1,
        title_fr="Séjour exploratoire en Haute-Gaspésie",
        title_en="Exploratory stay in Haute-Gaspésie",
        cost_fr="Gratuit : transport et hébergement payés",
        cost_en="Free: travel and lodging paid",
        age_min=18,
        age_max=35,
    )
    ActivityFactory(
        territory=territory,
        kind="info_session",
        language="fr_en",
        place="",
        online_url="https://rencontre.example.org/s",
        title_fr="Séance d'information en ligne",
        title_en="Online information session",
    )
    candidate = CandidateFactory(
        first_name="Amina",
        last_name="Diallo",
        language="en" if language == "en" else "fr",
        target_territory=territory,
        occupation_field="Soins infirmiers",
    )
    SettlementProgram.objects.create(
        name_fr="Crédit d'impôt santé",
        name_en="Health tax credit",
        operator="Gouvernement",
        help_kind="tax_credit",
        occupation_keywords="soins infirmiers",
        url="https://programme.example.org",
    ).regions.set([region])
    registration_create(activity=full, candidate=CandidateFactory(first_name="Jonas", last_name="Weber"))
    registration_create(activity=full, candidate=candidate)  # the waiting list
    tag = f"{'fr' if language == 'fr-ca' else 'en'}-{width}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []

    def visit(page: Page, path: str, name: str) -> None:
        problems.extend(audit(page, path))
        page.wait_for_load_state()
        problems.extend(filter(None, [no_sideways_scroll(page)]))
        page.screenshot(path=SCREENSHOTS / f"activities-{name}-{tag}.png", full_page=True)

    visitor = page_as(browser, live_server, width=width, language=language)
    visit(visitor, "/activites/", "calendar")
    visit(visitor, "/activites/?region=11&kind=info_session&language=en", "calendar-filtered")
    expect(visitor.locator("#activities")).to_contain_text(
        "Online information session" if language == "en" else "Séance"
    )
    visit(visitor, "/territoires/regions/11/", "region")
    visit(visitor, f"/territoires/{territory.code}/", "territory")
    person = page_as(browser, live_server, user=candidate.user, width=width, language=language)
    visit(person, f"/activites/{full.pk}/", "detail-waiting")
    visit(person, "/mon-dossier/", "my-file")
    expect(person.locator("#eligible-programs").locator("..")).to_contain_text(
        "Health tax credit" if language == "en" else "Crédit d'impôt santé"
    )
    agent_page = page_as(browser, live_server, user=agent.user, width=width, language=language)
    visit(agent_page, "/agent/activites/", "agent-home")
    visit(agent_page, f"/agent/activites/{full.pk}/", "agent-activity")
    visit(agent_page, "/agent/activites/nouvelle/", "agent-new")
    assert problems == [], "\n".join(problems)
