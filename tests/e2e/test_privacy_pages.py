"""The privacy pages in a real Chromium, in French and in English, 1280 and 390 pixels wide: the
public page /confidentialite/ (reached from the footer, and in English through the language
switch), the notice at registration step 1, and the officer's incident register in the admin.
Each page is photographed (SCREENSHOT_DIR, else the test's tmp folder) and fits the phone's width."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from privacy.models import ConfidentialityIncident, IncidentKind
from privacy.officers import OFFICER_GROUP
from privacy.services import incident_save
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, CoordinatorFactory

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
LANGUAGES = ("fr-ca", "en")


def fits(page: Page) -> bool:
    """Nothing wider than the window: no sideways scrolling on a phone."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def set_language(page: Page, base_url: str, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])


def test_the_privacy_pages_in_both_languages_and_widths(browser, live_server, tmp_path):
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    officer = CoordinatorFactory()
    officer.groups.add(Group.objects.get_or_create(name=OFFICER_GROUP)[0])
    incident = incident_save(
        incident=ConfidentialityIncident(
            organisation="eer",
            kind=IncidentKind.DISCLOSURE,
            information_description="Nom et courriel",
            circumstances="Un courriel envoyé au mauvais destinataire.",
            occurred_from=timezone.localdate(),
            known_on=timezone.localdate(),
            persons_count=1,
        ),
        by=officer,
    )

    visitor = browser.new_context(base_url=live_server.url).new_page()
    # From the footer of the home page to the privacy page, then to English with the switch.
    visitor.goto("/")
    visitor.locator("footer").get_by_role("link", name="Confidentialité et vos renseignements personnels").click()
    expect(visitor.locator("h1")).to_have_text("Confidentialité et protection des renseignements personnels")
    visitor.get_by_role("button", name="English").first.click()
    expect(visitor.locator("h1")).to_have_text("Privacy and the protection of personal information")
    assert visitor.url.endswith(reverse("privacy:policy"))

    titles = {
        "fr-ca": ("Confidentialité et protection des renseignements personnels", "Vos renseignements personnels"),
        "en": ("Privacy and the protection of personal information", "Your personal information"),
    }
    for language in LANGUAGES:
        set_language(visitor, live_server.url, language)
        policy_title, notice_title = titles[language]
        for width in WIDTHS:
            visitor.set_viewport_size({"width": width, "height": 900})
            visitor.goto(reverse("privacy:policy"))
            expect(visitor.locator("h1")).to_have_text(policy_title)
            expect(visitor.locator("#retention tbody tr")).to_have_count(8)
            assert fits(visitor), f"/confidentialite/ is wider than {width} px in {language}"
            visitor.screenshot(path=shots / f"policy-{language}-{width}.png", full_page=True)

            visitor.goto(reverse("candidates:register"))
            notice = visitor.locator("aside[aria-labelledby=avis-collecte]")
            expect(notice.locator("h2")).to_have_text(notice_title)
            expect(notice.locator(f"a[href='{reverse('privacy:policy')}']")).to_be_visible()
            assert fits(visitor), f"/inscription/ is wider than {width} px in {language}"
            visitor.screenshot(path=shots / f"register-{language}-{width}.png", full_page=True)

    admin = browser.new_context(base_url=live_server.url).new_page()
    admin.goto(reverse("account_login"))
    sign_in(admin, officer.email, PASSWORD)
    changelist = reverse("admin:privacy_confidentialityincident_changelist")
    pages = {
        "list": changelist,
        "add": reverse("admin:privacy_confidentialityincident_add"),
        "change": reverse("admin:privacy_confidentialityincident_change", args=[incident.pk]),
    }
    for language in LANGUAGES:
        set_language(admin, live_server.url, language)
        for width in WIDTHS:
            admin.set_viewport_size({"width": width, "height": 900})
            for name, path in pages.items():
                response = admin.goto(path)
                assert response.status == 200, (name, language)
                admin.screenshot(path=shots / f"admin-incident-{name}-{language}-{width}.png", full_page=True)
        admin.goto(changelist)
        export = "Export the register (CSV)" if language == "en" else "Exporter le registre (CSV)"
        with admin.expect_download() as download:
            admin.get_by_role("link", name=export).click()
        assert download.value.suggested_filename.startswith("registre-incidents-")
