"""The public face in Chromium, as a visitor on a computer (1,280 px) and on a phone (390 px), in
French and in English: home → search for a town in the directory → the territory's page. On every
page: nothing scrolls sideways, and axe-core finds no serious or critical violation. Screenshots
go to var/screenshots/ (SCREENSHOT_DIR) for people to look at."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from territories.models import Territory
from territories.services import territories_load
from tests.e2e.test_accessibility import audit, browser  # noqa: F401  (browser: a fixture)
from tests.factories import AgentFactory

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(settings.BASE_DIR) / "var" / "screenshots"))
WORDS = {
    "fr-ca": {"discover": "Découvrir les territoires", "search": "Chercher", "hiring": "Secteurs qui embauchent"},
    "en": {"discover": "Explore the territories", "search": "Search", "hiring": "Sectors that are hiring"},
}


def no_sideways_scroll(page: Page) -> str | None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    return None if widths[0] <= widths[1] else f"{page.url} scrolls sideways: {widths[0]} > {widths[1]} px"


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_home_to_a_town_to_its_territory(browser, live_server, language, width):  # noqa: F811
    territories_load(wet_run=True)
    Territory.objects.filter(code="100").update(
        employment_fr="Santé, enseignement, sciences de la mer.",
        employment_en="Health care, education, marine sciences.",
        transport_fr="Autobus, train, traversier.",
        transport_en="Buses, trains, a ferry.",
    )
    AgentFactory(territories=[Territory.objects.get(code="100")], first_name="Émilie")
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    words = WORDS[language]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tag = f"{'fr' if language == 'fr-ca' else 'en'}-{width}"
    problems: list[str] = []

    def check(name: str) -> None:
        page.wait_for_load_state()
        problems.extend(filter(None, [no_sideways_scroll(page)]))
        page.screenshot(path=SCREENSHOTS / f"public-{name}-{tag}.png", full_page=True)

    problems += audit(page, "/")
    language_switch = page.locator("header form.language-switch button[name=language]")
    expect(language_switch).to_be_visible()  # on a phone too: not in the collapsed menu
    page.screenshot(path=SCREENSHOTS / f"public-home-top-{tag}.png")  # the header, as first seen
    check("home")

    page.get_by_role("link", name=words["discover"]).first.click()
    expect(page.locator("h1")).to_be_visible()
    problems += [p for p in audit(page, page.url.removeprefix(live_server.url)) if p]
    check("directory")

    page.locator("main input[name=q]").fill("Rimouski")
    page.locator("main form[role=search] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#results-title")).to_contain_text("Rimouski")
    problems += audit(page, page.url.removeprefix(live_server.url))
    check("search")

    page.get_by_role("link", name="Rimouski-Neigette").first.click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Rimouski-Neigette")
    expect(page.locator("main")).to_contain_text(words["hiring"])
    expect(page.locator("main")).to_contain_text("Émilie")
    problems += audit(page, page.url.removeprefix(live_server.url))
    check("territory")

    problems += audit(page, "/territoires/regions/04/")  # Mauricie: no PAJ territory in the data
    check("region-empty")
    problems += audit(page, "/accessibilite/")
    check("accessibility")
    context.close()
    assert problems == [], "\n".join(problems)
