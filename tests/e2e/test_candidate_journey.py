"""Acceptance test of "Candidate registration and Mon dossier": in Chromium, a new immigrant candidate
registers (sign-up, email code, steps 2 to 5, review), looks at Mon dossier and their consents,
downloads their data and deletes their account, in French and in English, with axe-core clean on
every page. The web server is pytest-django's live_server; the email with the code travels through
a real Celery worker and the aiosmtpd server of conftest.py.

The same code drives both languages: fields are found by their id or name, never by their label.
The texts that say which language a page speaks are checked softly (collected, then asserted at
the end with the axe violations), so that one missing translation does not hide the rest."""

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections
from django.utils import translation
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from accounts.models import User
from candidates.models import Candidate, CandidateStatus, Consent, years_ago
from tests.conftest import chromium_path, require
from tests.documents import make_pdf
from tests.e2e.conftest import CHROMIUM_ARGS, poll
from tests.e2e.test_browser_path import accessibility_problems
from tests.factories import AgentFactory, RegionFactory, TerritoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker]

TIMEOUT_MS = 10_000
SOFT_TIMEOUT_MS = 2_000  # a text that should already be on a loaded page
PASSWORD = "Saguenay-en-hiver-2026"
CV_NAME = "CV Amina.pdf"

# What the person sees in each language. The English strings are those of locale/en/LC_MESSAGES.
TEXTS = {
    "fr-ca": {
        "lang": "fr",
        "email_subject": "Confirmez votre adresse",
        "step": "Étape {step} sur 5",
        "my_file": "Mon dossier",
        "status_new": "En attente de triage",
        "given": "donné",
        "occupation": "Soins infirmiers",
        "export": "mon-dossier",
        "csv_header": ["champ", "libellé", "valeur"],
    },
    "en": {
        "lang": "en",
        "email_subject": "Please Confirm Your Email Address",
        "step": "Step {step} of 5",
        "my_file": "My file",
        "status_new": "Waiting for review",
        "given": "given",
        "occupation": "Nursing",
        "export": "my-file",
        "csv_header": ["field", "label", "value"],
    },
}
# Words that only French sentences have: on an English page, they mean an untranslated string.
FRENCH_WORDS = re.compile(
    r"\b(vous|votre|vos|nous|notre|est|sont|avec|pour|les|des|une|du|dans|sur|étape|enregistrer|suivant)\b",
    re.IGNORECASE,
)


@pytest.fixture
def browser(transactional_db, monkeypatch) -> Iterator[Browser]:
    require(chromium_path() is not None, "Chromium")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        connections.close_all()  # or PostgreSQL cannot drop the test database


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """CVs go to a temporary MEDIA_ROOT (common.storage reads it again on setting_changed)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class Journey:
    """The person's page, and the problems found on the way: axe-core's serious and critical
    violations, texts missing in the person's language and French left on English pages."""

    def __init__(self, page: Page, language: str) -> None:
        self.page = page
        self.language = language
        self.texts = TEXTS[language]
        self.problems: list[str] = []

    def audit(self, what: str) -> None:
        self.page.wait_for_load_state("load")
        self.problems += [f"axe ({what}): {problem}" for problem in accessibility_problems(self.page)]
        if self.language == "en":
            text = self.page.locator("body").inner_text()
            lines = [line.strip() for line in text.splitlines() if FRENCH_WORDS.search(line)]
            if lines:
                self.problems.append(f"French on the English page ({what}, {self.page.url}): {lines[:6]}")

    def expect_text(self, locator: Locator, text: str, what: str) -> None:
        try:
            expect(locator).to_contain_text(text, timeout=SOFT_TIMEOUT_MS)
        except AssertionError:
            found = locator.all_inner_texts() if locator.count() else "(no such element)"
            self.problems.append(f"{what}: expected {text!r} on {self.page.url}, found {found}")

    def submit(self) -> None:
        """The main form's primary button ("Enregistrer et continuer", "Créer mon compte"…)."""
        self.page.locator("main form button[type=submit]").first.click()

    def at_step(self, step: int) -> None:
        expect(self.page).to_have_url(re.compile(rf"/inscription/etape-{step}/$"))
        self.expect_text(self.page.locator("#progress-label"), self.texts["step"].format(step=step), f"step {step}")


def fill_date_of_birth(page, born) -> None:
    """The date of birth in its three parts: day, month (chosen by number), year."""
    page.locator("#id_date_of_birth_0").fill(str(born.day))
    page.locator("#id_date_of_birth_1").select_option(str(born.month))
    page.locator("#id_date_of_birth_2").fill(str(born.year))


@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_candidate_registers_uses_mon_dossier_and_deletes_their_account(
    browser, live_server, celery_worker_process, smtp_server, media_root, language
):
    region = RegionFactory(code="02", name_fr="Saguenay–Lac-Saint-Jean", name_en="Saguenay–Lac-Saint-Jean")
    territory = TerritoryFactory(name="Maria-Chapdelaine", region=region)
    AgentFactory(territories=[territory])
    celery_worker_process(site_url=live_server.url)
    email = f"amina.diallo.{language}@example.org"

    # A French-speaking browser: English comes from the site's language switch only.
    context = browser.new_context(base_url=live_server.url, locale="fr-CA")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    journey = Journey(page, language)
    texts = journey.texts

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    if language == "en":
        page.locator("header button[name=language][value=en]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page).to_have_url(re.compile(r"/$"))
        expect(page.locator("header button[name=language][value=fr-ca]")).to_be_visible()
    journey.audit("home page")

    # --- 1. Sign-up (step 1): once with errors, then right. ---------------------------------------
    page.locator("main a[href$='/inscription/']").first.click()
    expect(page).to_have_url(re.compile(r"/inscription/$"))
    expect(page.locator("html")).to_have_attribute("lang", texts["lang"])
    journey.audit("sign-up form")
    page.locator("#id_first_name").fill("Amina")
    page.locator("#id_last_name").fill("Diallo")
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    fill_date_of_birth(page, years_ago(10))  # too young: refused
    journey.submit()
    expect(page.locator("#id_date_of_birth_2")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("main .alert-danger[role=alert]")).to_be_visible()
    journey.audit("sign-up form with errors")
    assert not User.objects.filter(email=email).exists()

    page.locator("#id_first_name").fill("Amina")
    page.locator("#id_last_name").fill("Diallo")
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    fill_date_of_birth(page, years_ago(28))
    page.locator("#id_phone").fill("514 555-0123")
    page.locator(f"input[name=language][value={language}]").check()
    journey.submit()

    # --- 2. The code from the email. ----------------------------------------------------------------
    expect(page).to_have_url(re.compile(r"/comptes/confirm-email/$"))
    expect(page.locator("#id_code")).to_be_visible()
    journey.audit("email code page")
    [with_code] = smtp_server.wait_for(to=email)
    assert texts["email_subject"] in with_code.subject, with_code.subject
    if language == "en":
        assert not FRENCH_WORDS.search(with_code.subject), with_code.subject
        assert not re.search(r"\b(Bonjour|votre|vous)\b", with_code.text), with_code.text
    code = re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", with_code.text, re.M)
    assert code, with_code.text
    page.locator("#id_code").fill(code.group(1))
    page.locator("#id_code").locator("xpath=ancestor::form").locator("button[type=submit]").first.click()

    # --- 3. Steps 2 to 5, the review, sending. ------------------------------------------------------
    journey.at_step(2)
    user = User.objects.get(email=email)
    assert user.language == language
    page.locator("input[name=profile_kind][value=immigrant]").check()
    expect(page.locator("#immigrant-fields")).to_be_visible()
    page.locator("#id_country_of_origin").select_option("SN")
    page.locator("#id_arrival_date").fill("2024-09-01")
    page.locator("#id_immigration_status").select_option("permanent_resident")
    page.locator("#id_diploma_recognition").select_option("in_progress")
    page.locator("#id_quebec_experience").select_option("under_1")
    page.locator("#id_french_level").select_option("fluent")
    page.locator("#id_english_level").select_option("intermediate")
    journey.audit("step 2")
    journey.submit()

    journey.at_step(3)
    page.locator("#id_occupation_field").fill(texts["occupation"])
    page.locator("#id_highest_diploma").select_option("bachelor")
    page.locator("#id_years_experience").fill("4")
    page.locator("#id_cv").set_input_files(
        files=[{"name": CV_NAME, "mimeType": "application/pdf", "buffer": make_pdf()}]
    )
    page.locator("input[name=contact_method][value=phone]").check()
    journey.audit("step 3")
    journey.submit()

    journey.at_step(4)
    page.locator("#id_target_1").select_option(str(territory.pk))
    page.locator("#id_timeline").select_option("6_months")
    page.locator("#id_housing_need").select_option("rent")
    journey.audit("step 4")
    journey.submit()

    journey.at_step(5)
    page.locator("#id_coaching").check()
    page.locator("#id_sharing").check()
    journey.audit("step 5")
    journey.submit()

    expect(page).to_have_url(re.compile(r"/inscription/verification/$"))
    main = page.locator("main")
    expect(main).to_contain_text(CV_NAME)
    expect(main).to_contain_text(territory.name)
    expect(main).to_contain_text("Amina Diallo")
    journey.audit("review page")
    page.locator("main form[action$='/inscription/verification/'] button[type=submit]").click()

    # --- 4. Mon dossier and the consents. -----------------------------------------------------------
    expect(page).to_have_url(re.compile(r"/mon-dossier/$"))
    expect(page.locator("main [role=status]").first).to_be_visible()  # "Votre inscription est envoyée…"
    candidate = Candidate.objects.get(email=email)
    assert candidate.status == CandidateStatus.NEW
    cv_path = Path(candidate.cv.path)
    assert cv_path.is_file() and cv_path.is_relative_to(media_root), cv_path
    journey.expect_text(page.locator("main h1"), texts["my_file"], "Mon dossier's heading")
    journey.expect_text(page.locator("#statut"), texts["status_new"], "Mon dossier's status")
    expect(page.locator("#chronologie li").first).to_be_visible()
    expect(page.locator("main")).to_contain_text(territory.name)
    journey.audit("Mon dossier")

    page.locator("main a[href$='/mon-dossier/consentements/']").click()
    expect(page).to_have_url(re.compile(r"/mon-dossier/consentements/$"))
    expect(page.locator("#id_coaching")).to_be_checked()
    expect(page.locator("#id_sharing")).to_be_checked()
    expect(page.locator("#id_news")).not_to_be_checked()
    journey.audit("consents page")
    history = page.locator("#historique-consentements li")
    rows_before = history.count()
    page.locator("#id_news").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/mon-dossier/consentements/$"))
    expect(page.locator("main [role=status]").first).to_be_visible()  # "Vos choix sont enregistrés."
    expect(page.locator("#id_news")).to_be_checked()
    page.locator("main details summary").click()
    expect(history).to_have_count(rows_before + 1)
    with translation.override(language):
        news_label = str(Consent.Purpose.NEWS.label)
    journey.expect_text(history.last, news_label, "the consent history's purpose")
    journey.expect_text(history.last, texts["given"], "the consent history's answer")
    journey.audit("consents page, history open")
    assert candidate.consents.filter(purpose=Consent.Purpose.NEWS, granted=True).exists()

    # --- 5. Data download. --------------------------------------------------------------------------
    page.locator("main a[href$='/mon-dossier/']").first.click()
    expect(page).to_have_url(re.compile(r"/mon-dossier/$"))
    with page.expect_download() as download_info:
        page.locator("main a[href$='/mon-dossier/export.zip']").click()
    download = download_info.value
    export = texts["export"]  # the files' names in the person's language
    assert re.fullmatch(rf"{export}-\d{{4}}-\d{{2}}-\d{{2}}\.zip", download.suggested_filename)
    with zipfile.ZipFile(download.path()) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    assert f"cv/{CV_NAME}" in members, sorted(members)
    data = json.loads(members[f"{export}.json"].decode())
    assert data["profile"]["first_name"]["value"] == "Amina"
    assert data["profile"]["last_name"]["value"] == "Diallo"
    assert data["profile"]["cv_filename"]["value"] == CV_NAME
    assert data["account"]["email"] == email
    assert [target["territory"] for target in data["targets"]] == [territory.name]
    granted = {consent["purpose"] for consent in data["consents"] if consent["granted"]}
    assert granted == {"coaching", "sharing", "news"}, data["consents"]

    rows = list(csv.reader(io.StringIO(members[f"{export}.csv"].decode("utf-8-sig"))))
    assert rows[0] == texts["csv_header"]
    values = {row[0]: row[2] for row in rows[1:]}
    assert values["first_name"] == "Amina"
    assert values["last_name"] == "Diallo"
    assert values["cv_filename"] == CV_NAME
    assert values["targets.1.territory"] == territory.name
    csv_consents = {value for field, value in values.items() if re.fullmatch(r"consents\.\d+\.purpose", field)}
    assert csv_consents == {"coaching", "sharing", "news"}, values

    # --- 6. Account deletion. -----------------------------------------------------------------------
    page.locator("main a[href$='/mon-dossier/supprimer/']").click()
    expect(page).to_have_url(re.compile(r"/mon-dossier/supprimer/$"))
    journey.audit("delete page")
    page.locator("main form button.btn-danger").click()  # nothing confirmed: refused
    expect(page.locator("#id_confirm")).to_have_attribute("aria-invalid", "true")
    journey.audit("delete page with errors")
    assert User.objects.filter(email=email).exists()
    if page.locator("#id_password").count():
        page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_confirm").check()
    page.locator("main form button.btn-danger").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", texts["lang"])
    expect(page.locator("main [role=status]").first).to_be_visible()  # "Votre compte est supprimé…"
    expect(page.locator("header a[href$='/comptes/login/']")).to_be_visible()  # signed out
    expect(page.locator("header a[href$='/mon-dossier/']")).to_have_count(0)
    journey.audit("home page after the deletion")

    user = User.objects.filter(pk=user.pk).first()
    assert user is None or not user.is_active, "the account still works"
    assert not User.objects.filter(email__iexact=email).exists()
    candidate.refresh_from_db()
    assert candidate.anonymized_at is not None
    assert (candidate.first_name, candidate.last_name) == ("Anonyme", "Anonyme")
    assert email not in candidate.email
    assert candidate.user_id is None
    assert not candidate.cv
    assert candidate.status == CandidateStatus.CLOSED
    poll(lambda: not cv_path.exists(), timeout=10, describe=lambda: f"{cv_path} to be deleted")
    assert not any(path.is_file() for path in media_root.rglob("*")), list(media_root.rglob("*"))

    # Signing in with the old password fails.
    page.goto("/comptes/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form[action$='/comptes/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/comptes/login/$"))
    expect(page.locator("main .alert-danger, main .invalid-feedback").first).to_be_visible()
    expect(page.locator("header a[href$='/comptes/login/']")).to_be_visible()
    page.goto("/mon-dossier/")
    expect(page).to_have_url(re.compile(r"/comptes/login/\?next="))

    context.close()
    assert journey.problems == [], "\n".join(journey.problems)
