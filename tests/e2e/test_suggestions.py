"""Territory suggestions in Chromium: at registration step 4 the person asks for suggestions, adds
one to their choices and saves; in Mon dossier they add another; the counsellor sees the same on
the file. Then the three pages at 1,280 and 390 px, in French and English, with suggestions shown:
nothing scrolls sideways, axe-core finds no serious or critical violation. Screenshots go to
var/screenshots/ (SCREENSHOT_DIR)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from candidates.models import CandidateStatus
from tests.e2e.test_accessibility import BLOCKING, audit, browser  # noqa: F401  (browser: a fixture)
from tests.e2e.test_activities import SCREENSHOTS, no_sideways_scroll, page_as
from tests.factories import AgentFactory, CandidateFactory, CounsellorFactory, RegionFactory, TerritoryFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def territories(transactional_db):
    rows = [
        TerritoryFactory(
            name="Rimouski-Neigette",
            region=RegionFactory(code="01"),
            employment_fr="Santé et services sociaux, enseignement, sciences de la mer.",
            employment_en="Health and social services, education, marine sciences.",
            daycare_fr="CPE et garderies en milieu familial ; listes d'attente : inscrivez-vous tôt.",
            daycare_en="Early childhood centres and home daycares; waiting lists, so register early.",
            outdoors_fr="Parc national du Bic, sentiers, ski de fond, kayak sur le fleuve.",
            outdoors_en="Bic National Park, trails, cross-country skiing, kayaking on the river.",
        ),
        TerritoryFactory(
            name="Rouyn-Noranda",
            region=RegionFactory(code="08"),
            employment_fr="Mines et métallurgie, foresterie, santé, génie.",
            employment_en="Mining and metallurgy, forestry, health care, engineering.",
            housing_fr="Peu de logements libres : l'agent·e vous aide à trouver un premier toit.",
            housing_en="Few vacant apartments: the agent helps you find a first place to live.",
        ),
        TerritoryFactory(
            name="Beauce-Sartigan",
            region=RegionFactory(code="12"),
            employment_fr="Fabrication, transport, agroalimentaire.",
            employment_en="Manufacturing, transportation, agri-food.",
        ),
    ]
    for territory in rows:
        AgentFactory(territories=[territory])
    return rows


def test_the_person_asks_adds_and_saves_and_the_counsellor_sees_the_same(browser, live_server, territories):  # noqa: F811
    counsellor = CounsellorFactory()
    person = CandidateFactory(
        status=CandidateStatus.COACHING,
        counsellor=counsellor,
        occupation_field="Infirmière",
        registration_step=6,
        target_territory=False,
        timeline="6_months",
        housing_need="rent",
    )
    page = page_as(browser, live_server, user=person.user)
    page.goto("/inscription/etape-4/")
    expect(page.locator("#suggestions")).not_to_contain_text("Pourquoi ce territoire")
    page.locator("#id_children_count").fill("2")
    page.get_by_role("button", name="Suggérez-moi des territoires").click()
    suggested = page.get_by_role("region", name="Territoires suggérés")
    expect(suggested.locator("article")).to_have_count(2)
    expect(suggested).to_contain_text("Vous venez avec 2 enfants")  # the unsaved answer counts
    page.get_by_role("button", name="Ajouter Rimouski-Neigette à mes choix").click()
    expect(page.locator(".alert-success")).to_contain_text("Rimouski-Neigette ajouté : 1er choix")
    expect(page.locator("#id_target_1 option:checked")).to_have_text("Rimouski-Neigette")
    expect(page.locator("#id_children_count")).to_have_value("2")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    assert [t.territory.name for t in person.targets.all()] == ["Rimouski-Neigette"]
    person.refresh_from_db()
    assert person.children_count == 2

    page.goto("/mon-dossier/")
    page.get_by_role("link", name="Suggérez-moi des territoires").click()
    page.get_by_role("button", name="Suggérez-moi des territoires").click()
    expect(page.get_by_text("Déjà dans mes territoires visés")).to_be_visible()
    page.get_by_role("button", name="Ajouter Rouyn-Noranda à mes territoires").click()
    expect(page.locator(".alert-success")).to_contain_text("Rouyn-Noranda ajouté à vos territoires visés")
    assert [t.territory.name for t in person.targets.order_by("rank")] == ["Rimouski-Neigette", "Rouyn-Noranda"]

    eer = page_as(browser, live_server, user=counsellor)
    eer.goto(f"/conseil/candidats/{person.pk}/")
    eer.get_by_role("link", name="Voir les territoires suggérés d'après ses réponses").click()
    expect(eer.locator("article")).to_have_count(2)
    expect(eer.get_by_text("Déjà choisi par la personne")).to_have_count(2)


def test_the_pages_at_two_widths_in_both_languages(browser, live_server, territories):  # noqa: F811
    counsellor = CounsellorFactory()
    person = CandidateFactory(
        status=CandidateStatus.COACHING,
        counsellor=counsellor,
        occupation_field="Infirmière",
        children_count=1,
        housing_need="rent",
        registration_step=6,
        target_territory=territories[2],
        timeline="6_months",
        interests="Randonnée, ski de fond",
    )
    problems = []
    for language, tag in (("fr-ca", "fr"), ("en", "en")):
        for width in (1280, 390):
            for name, user, path, button in (
                ("step-4", person.user, "/inscription/etape-4/", True),
                ("my-file", person.user, "/mon-dossier/suggestions/?voir=1", False),
                ("counsellor", counsellor, f"/conseil/candidats/{person.pk}/suggestions/", False),
            ):
                page = page_as(browser, live_server, user=user, width=width, language=language)
                problems.extend(audit(page, path))
                if button:
                    page.locator("#suggestions button[name=suggest]").click()
                    page.locator("#suggestions article").first.wait_for()
                    results = Axe().run(page)  # this page, as the POST left it (audit() would reload it)
                    problems.extend(
                        f"{path} (suggestions) [{v['impact']}] {v['id']}: {v['help']}"
                        for v in results.response["violations"]
                        if v["impact"] in BLOCKING
                    )
                problems.append(no_sideways_scroll(page))
                page.screenshot(path=SCREENSHOTS / f"suggestions-{name}-{tag}-{width}.png", full_page=True)
                page.context.close()
    problems = [problem for problem in problems if problem]
    assert problems == [], "\n".join(problems)
