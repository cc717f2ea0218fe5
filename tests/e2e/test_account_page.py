"""« Mon compte » in Chromium: a counsellor reads it in French, chooses English for their emails and
turns the daily digest off; the page then speaks English. No sideways scroll at 390 px, nothing
serious for axe-core. Screenshots (FR/EN, 1280 and 390 px) go to var/screenshots/account/."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.e2e.test_browser_path import accessibility_problems
from tests.factories import CounsellorFactory

pytestmark = pytest.mark.browser

SHOTS = Path(django_settings.VAR_DIR) / "screenshots" / "account"


def look(page: Page, name: str, audit: list[str]) -> None:
    """Screenshots at 1280 and 390 px; the sideways scroll and axe-core's findings at each."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        if page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"):
            audit.append(f"{name} scrolls sideways at {width} px")
        audit += accessibility_problems(page)
        page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)


def test_a_counsellor_chooses_english_and_turns_the_digest_off(browser, live_server):
    counsellor = CounsellorFactory(first_name="Camille", last_name="Roy")
    client = Client()
    client.force_login(counsellor)
    context = browser.new_context(base_url=live_server.url, locale="fr-CA")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    audit: list[str] = []

    page.goto("/conseil/")
    page.locator("header").get_by_role("link", name="Mon compte").click()  # in the menu on a phone too
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    expect(page.get_by_text("Application d'authentification", exact=True)).to_be_visible()
    look(page, "account-fr", audit)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("input[name=language][value=en]").check()
    page.locator("input[name=daily_digest]").uncheck()
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    expect(page.get_by_role("status")).to_have_text("Your account is up to date.")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("input[name=daily_digest]")).not_to_be_checked()
    expect(page.locator("main")).to_contain_text("Receive the daily digest of answers to my referrals")
    look(page, "account-en", audit)
    counsellor = User.objects.get(pk=counsellor.pk)
    assert (counsellor.language, counsellor.daily_digest) == ("en", False)
    context.close()
    assert audit == [], "\n".join(audit)
