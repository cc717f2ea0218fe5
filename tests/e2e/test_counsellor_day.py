"""A counsellor's day and the candidate's own pages in Chromium, at 1,280 and 390 px, in French
and English: the queue does not scroll sideways on a phone (its table scrolls inside its box),
the filters are folded, "Prendre en charge" lands on the file, a settled file folds the referral
form; the candidate's history, date of birth and phone read right. axe-core finds nothing serious
or critical on these pages. Screenshots go to var/screenshots/counsellor-day/."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from candidates.models import CandidateStatus
from tests.e2e.test_browser_path import accessibility_problems
from tests.factories import CandidateFactory, CounsellorFactory, RegionFactory, TerritoryFactory
from tests.journeys import declined_then_accepted

pytestmark = pytest.mark.browser

SHOTS = Path(django_settings.VAR_DIR) / "screenshots" / "counsellor-day"
WIDTHS = (1280, 390)
QUEUE = reverse("counselling:queue")


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def scroll_widths(page: Page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")


def browser_page(browser, live_server, *, width: int, language: str, user=None) -> Page:
    """A page of a fresh context at `width`, reading `language`; signed in as `user` if given."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    context.set_default_timeout(10_000)
    cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookies.append({"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url})
    context.add_cookies(cookies)
    return context.new_page()


@pytest.fixture
def day(db):
    """Files waiting for triage, with long names and addresses, and a file settled after a
    decline (its candidate has a Canadian phone number and a date of birth)."""
    region = RegionFactory(code="11", name_fr="Gaspésie–Îles-de-la-Madeleine")
    territories = [
        TerritoryFactory(name=name, region=region)
        for name in ("Les Îles-de-la-Madeleine", "La Haute-Gaspésie", "Bonaventure")
    ]
    for index, territory in enumerate(territories):
        CandidateFactory(
            first_name=f"Marie-Ève-Geneviève{index}",
            last_name="Bouchard-Vaillancourt",
            email=f"marie-eve-genevieve.bouchard-vaillancourt{index}@exemple-tres-long.qc.ca",
            target_territory=territory,
        )
    journey = declined_then_accepted(phone="+18195550123", date_of_birth=datetime.date(1998, 3, 15))
    counsellor = journey.candidate.counsellor
    counsellor.first_name, counsellor.last_name = "Camille", "Roy"
    counsellor.save(update_fields=["first_name", "last_name"])
    return journey


@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_the_counsellors_pages_fit_a_phone_and_pass_axe(browser, live_server, day, language):
    counsellor = day.candidate.counsellor
    lang = language[:2]
    audit: list[str] = []
    for width in WIDTHS:
        page = browser_page(browser, live_server, width=width, language=language, user=counsellor)
        for name, url in {
            "queue-triage": f"{QUEUE}?vue=a-trier",
            "queue-all-filtered": f"{QUEUE}?vue=tous&statut=settled",
            # an impossible date: the filters open on the error (the fields are written in Python)
            "queue-filters-open": f"{QUEUE}?vue=tous&q=exemple-tres-long&arrivee_du=2024-02-30&tri=-nom",
            "file-settled": reverse("counselling:file", args=[day.candidate.pk]),
        }.items():
            page.goto(url)
            page.wait_for_load_state()
            scroll_width, client_width = scroll_widths(page)
            assert scroll_width <= client_width, f"{name} is {scroll_width} px wide at {width} px ({language})"
            audit += accessibility_problems(page)
            shoot(page, f"{name}-{lang}-{width}")
            if name in ("queue-triage", "queue-all-filtered"):
                # Folded: the list comes first, also with a filter applied.
                expect(page.locator("#queue-filters")).not_to_have_attribute("open", re.compile(".*"))
                expect(page.locator("#queue-filters select").first).to_be_hidden()
                expect(page.locator("#id_statut option").first).to_have_text("Tous" if lang == "fr" else "All")
            if name == "queue-all-filtered":
                expect(page.locator("#queue-filters summary")).to_contain_text(
                    "1 filtre actif" if lang == "fr" else "1 filter applied"
                )
                expect(page.locator("#queue-results tbody tr")).to_have_count(1)
            if name == "queue-filters-open":
                expect(page.locator("#queue-filters")).to_have_attribute("open", "")
                expect(page.locator("#id_q")).to_have_value("exemple-tres-long")  # the three long names' emails
                expect(page.locator("#id_arrivee_du")).to_have_class(re.compile(r"\bis-invalid\b"))
                expect(page.locator("th[aria-sort=descending] a")).to_have_text("Nom" if lang == "fr" else "Name")
                expect(page.locator("#queue-results tbody tr")).to_have_count(3)
            if name == "file-settled":
                expect(page.locator("#nouvelle-orientation")).not_to_have_attribute("open", re.compile(".*"))
                expect(page.locator("#nouvelle-orientation form").first).to_be_hidden()
                expect(page.get_by_role("link", name="(819) 555-0123")).to_have_attribute("href", "tel:+18195550123")
        page.context.close()
    assert audit == [], "\n".join(audit)


def test_taking_a_file_on_lands_on_the_file(browser, live_server, day):
    counsellor = CounsellorFactory(first_name="Léa", last_name="Côté")
    waiting = CandidateFactory(first_name="Awa", last_name="Ndiaye", target_territory=TerritoryFactory())
    page = browser_page(browser, live_server, width=390, language="fr-ca", user=counsellor)

    page.goto(f"{QUEUE}?vue=a-trier")
    row = page.locator("#queue-results tbody tr", has_text="Awa Ndiaye")
    row.get_by_role("button", name="Prendre en charge").click()

    expect(page).to_have_url(re.compile(reverse("counselling:file", args=[waiting.pk]) + "$"))
    expect(page.locator("h1")).to_contain_text("Awa Ndiaye")
    expect(page.get_by_text("Vous accompagnez maintenant Awa Ndiaye.")).to_be_visible()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.counsellor) == (CandidateStatus.COACHING, counsellor)
    assert accessibility_problems(page) == []
    shoot(page, "take-on-landed-fr-390")


@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_the_candidates_pages_fit_a_phone_and_pass_axe(browser, live_server, day, language):
    lang = language[:2]
    audit: list[str] = []
    for width in WIDTHS:
        page = browser_page(browser, live_server, width=width, language=language, user=day.candidate.user)
        page.goto(reverse("my_file:home"))
        history = page.locator("#chronologie li")
        expect(history.nth(1)).to_contain_text(
            "Votre dossier passe au territoire suivant de votre liste : Beta."
            if lang == "fr"
            else "Your file goes on to the next territory on your list: Beta."
        )
        expect(history.nth(2)).to_contain_text("Beta")
        expect(page.get_by_role("link", name="(418) 555-0123")).to_be_visible()  # the agent's
        audit += accessibility_problems(page)
        shoot(page, f"my-file-{lang}-{width}")

        page.goto(reverse("my_file:identity"))
        expect(page.get_by_label("Jour" if lang == "fr" else "Day", exact=True)).to_have_value("15")
        page.get_by_label("Jour" if lang == "fr" else "Day", exact=True).fill("31")
        page.get_by_label("Mois" if lang == "fr" else "Month", exact=True).select_option("2")
        page.locator("main form button[type=submit]").click()
        expect(page.locator("#id_date_of_birth_error")).to_contain_text(
            "Cette date n'existe pas" if lang == "fr" else "This date does not exist"
        )
        scroll_width, client_width = scroll_widths(page)
        assert scroll_width <= client_width
        audit += accessibility_problems(page)
        shoot(page, f"my-details-error-{lang}-{width}")
        page.context.close()

        page = browser_page(browser, live_server, width=width, language=language)
        page.goto(reverse("candidates:register"))
        expect(page.locator(f"input[name=language][value={language}]")).to_be_checked()
        expect(page.locator("fieldset#id_date_of_birth legend")).to_contain_text(
            "Date de naissance" if lang == "fr" else "Date of birth"
        )
        audit += accessibility_problems(page)
        shoot(page, f"sign-up-{lang}-{width}")
        page.context.close()
    assert audit == [], "\n".join(audit)
