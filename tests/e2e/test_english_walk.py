"""The whole path in English, in Chromium: the public pages, sign-up with the emailed code, the
registration steps, Mon dossier and « Mon compte »; a counsellor's queue, files and statistics; an
agent's link page (under review, the confirmation, accepted) and space; the referred person's
history. On every page, at 1,280 and 390 px, it fails on French left in the visible text (French
function words, as a heuristic, once proper names are set aside) and on a page that scrolls
sideways on a phone. The admin is left out. Screenshots go to var/screenshots/english-walk/."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import Page, expect

from candidates.models import CandidateStatus, CoachingNote, MaturityAssessment, years_ago
from referrals.models import ReferralStatus
from referrals.services import referral_decline, referral_link_create, referral_send
from tests.accounts.test_courriel import visible_text
from tests.documents import make_pdf
from tests.e2e.conftest import poll
from tests.factories import AgentFactory, CandidateFactory, CounsellorFactory, RegionFactory, TerritoryFactory
from tests.referrals.factories_agent import agent_with_account

pytestmark = [pytest.mark.browser, pytest.mark.worker]

SHOTS = Path(django_settings.VAR_DIR) / "screenshots" / "english-walk"
PASSWORD = "Saguenay-en-hiver-2026"
# Words only a French sentence has. Proper names that hold them (the two organisations, places)
# are removed from the text first, and so is the language switch's « Français ».
FRENCH_WORDS = re.compile(
    r"(?<![\w'’-])(le|la|les|des|du|vous|votre|vos|pour|avec|est|aux|une|dans|nous|sont|et|ou|par|cette|aucun|aucune"
    r"|oui|non|mettre|enregistrer|envoyer|retour|lien)(?![\w'’-])",
    re.I,
)
PROPER_NAMES = [
    "Place aux jeunes en région",
    "Place aux jeunes en régions",
    "Place aux jeunes",
    "Emplois en régions",
    "Français",
    "Bas-Saint-Laurent",
    "Kamouraska",
    "Rimouski-Neigette",
    "Capitale-Nationale",
    "Commission d'accès à l'information du Québec",
]
PROPER_NAME = re.compile("|".join(re.escape(name) for name in sorted(PROPER_NAMES, key=len, reverse=True)), re.I)


def french_lines(page: Page) -> list[str]:
    text = PROPER_NAME.sub("", page.locator("body").inner_text())  # some are upper-cased by CSS
    return [line.strip() for line in text.splitlines() if FRENCH_WORDS.search(line)]


def scrolls_sideways(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


class Walk:
    """Collects what each page gets wrong, so that one test run lists every page at once."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.pages = 0

    def check(self, page: Page, name: str) -> None:
        page.wait_for_load_state("load")
        self.pages += 1
        where = f"{name} ({page.url.split('//', 1)[-1].split('/', 1)[-1]})"
        if (page.locator("html").get_attribute("lang") or "") != "en":
            self.problems.append(f"{where}: <html lang> is not en")
        if lines := french_lines(page):
            self.problems.append(f"{where}: French left: {lines[:8]}")
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / f"{name}.txt").write_text(page.locator("body").inner_text())  # to read the page's words
        page.screenshot(path=SHOTS / f"{name}-1280.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        if scrolls_sideways(page):
            width = page.evaluate("document.documentElement.scrollWidth")
            self.problems.append(f"{where}: scrolls sideways at 390 px ({width} px wide)")
        page.screenshot(path=SHOTS / f"{name}-390.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

    def visit(self, page: Page, url: str, name: str) -> None:
        page.goto(url)
        self.check(page, name)


def english_page(browser, live_server, user=None) -> Page:
    """A fresh context reading English (the language switch's cookie), signed in as `user`."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="fr-CA")
    context.set_default_timeout(10_000)
    cookies = [{"name": "django_language", "value": "en", "url": live_server.url}]
    if user is not None:
        client = Client()
        client.force_login(user)  # staff: as after the second factor (tests/conftest.py)
        cookies.append({"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url})
    context.add_cookies(cookies)
    return context.new_page()


def fill_date_of_birth(page: Page, born) -> None:
    """One date input, or three parts (day, month as a list, year: common.date_fields)."""
    single = page.locator("input#id_date_of_birth")
    if single.count():
        single.fill(born.isoformat())
        return
    page.locator("[name=date_of_birth_0]").fill(str(born.day))
    page.locator("[name=date_of_birth_1]").select_option(str(born.month))
    page.locator("[name=date_of_birth_2]").fill(str(born.year))


@pytest.fixture
def world(db):
    region = RegionFactory(code="01", name_fr="Bas-Saint-Laurent", name_en="Bas-Saint-Laurent")
    first = TerritoryFactory(name="Kamouraska", region=region, code="KAM")
    second = TerritoryFactory(name="Rimouski-Neigette", region=region, code="RIM")
    declining = AgentFactory(territories=[first], first_name="Josée", last_name="Tremblay")
    agent = agent_with_account(territories=[second], first_name="Marc", last_name="Bélanger", language="en")
    counsellor = CounsellorFactory(first_name="Camille", last_name="Roy", language="en")
    referred = CandidateFactory(
        first_name="Sara",
        last_name="Haddad",
        language="en",
        user__language="en",
        target_territory=first,
        status=CandidateStatus.COACHING,
        counsellor=counsellor,
        phone="+14185550123",
        contact_method="phone",
        contact_times="weekdays after 5 p.m.",
        has_partner=True,
        children_count=1,
        interests="Cross-country skiing",
        immigration_status="work_permit",
        highest_diploma="college",
        diploma_recognition="in_progress",
        french_level="intermediate",
        english_level="fluent",
        occupation_field="Nursing",
        years_experience=6,
        timeline="6_months",
        housing_need="rent",
        goals="Work as a nurse.",
    )
    referred.targets.create(territory=second, rank=2)
    MaturityAssessment.objects.create(
        candidate=referred,
        cv_reworked=True,
        work_authorization_valid=True,
        french_adequate=True,
        region_explored=True,
        mature_at=referred.created_at,
        mature_by=counsellor,
        mature_note="Exploratory stay in October.",
    )
    referral_send(candidate=referred, territories=[first, second], by=counsellor, message="Ready for spring.")
    referral = referred.referrals.get(territory=first)
    referral_decline(referral=referral, agent=declining, category="housing")
    return {"region": region, "territory": second, "agent": agent, "counsellor": counsellor, "referred": referred}


def test_the_whole_path_in_english(browser, live_server, celery_worker_process, smtp_server, world):
    celery_worker_process(site_url=live_server.url)
    walk = Walk()
    territory, agent, counsellor = world["territory"], world["agent"], world["counsellor"]

    # --- The public pages, the sign-in pages. -------------------------------------------------------
    page = english_page(browser, live_server)
    walk.visit(page, "/", "home")
    walk.visit(page, "/territoires/", "directory")
    walk.visit(page, "/territoires/?q=rimouski", "directory-search")
    walk.visit(page, f"/territoires/regions/{world['region'].code}/", "region")
    walk.visit(page, f"/territoires/{territory.code}/", "territory")
    walk.visit(page, "/confidentialite/", "privacy")
    walk.visit(page, "/accessibilite/", "accessibility")
    walk.visit(page, "/comptes/login/", "sign-in")
    walk.visit(page, "/comptes/login/code/", "sign-in-code")
    walk.visit(page, "/comptes/password/reset/", "password-reset")
    walk.visit(page, "/page-qui-n-existe-pas/", "not-found")
    walk.visit(page, f"/r/{'x' * 43}/", "agent-link-invalid")
    page.goto("/comptes/login/code/")
    page.locator("#id_email").fill(agent.email)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/comptes/login/code/confirm/$"))
    walk.check(page, "sign-in-code-confirm")
    page.context.close()
    page = english_page(browser, live_server)

    # --- Sign-up, the emailed code, the registration steps. -----------------------------------------
    email = "amina.diallo@example.org"
    walk.visit(page, "/inscription/", "sign-up")
    page.locator("#id_first_name").fill("Amina")
    page.locator("#id_last_name").fill("Diallo")
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    fill_date_of_birth(page, years_ago(10))  # too young: the errors in English too
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main .alert-danger[role=alert]")).to_be_visible()
    walk.check(page, "sign-up-errors")
    page.locator("#id_password1").fill(PASSWORD)
    fill_date_of_birth(page, years_ago(28))
    page.locator("input[name=language][value=en]").check()
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/comptes/confirm-email/$"))
    walk.check(page, "email-code")
    [with_code] = smtp_server.wait_for(to=email)
    assert not FRENCH_WORDS.search(with_code.subject), with_code.subject
    code = re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", with_code.text, re.M).group(1)
    page.locator("#id_code").fill(code)
    page.locator("#id_code").locator("xpath=ancestor::form").locator("button[type=submit]").first.click()

    expect(page).to_have_url(re.compile(r"/inscription/etape-2/$"))
    page.locator("input[name=profile_kind][value=immigrant]").check()
    walk.check(page, "step-2")
    page.locator("#id_country_of_origin").select_option("SN")
    page.locator("#id_arrival_date").fill("2024-09-01")
    page.locator("#id_immigration_status").select_option("permanent_resident")
    page.locator("#id_diploma_recognition").select_option("in_progress")
    page.locator("#id_quebec_experience").select_option("under_1")
    page.locator("#id_french_level").select_option("fluent")
    page.locator("#id_english_level").select_option("intermediate")
    page.locator("main form button[type=submit]").first.click()

    expect(page).to_have_url(re.compile(r"/inscription/etape-3/$"))
    walk.check(page, "step-3")
    page.locator("#id_occupation_field").fill("Nursing")
    page.locator("#id_highest_diploma").select_option("bachelor")
    page.locator("#id_years_experience").fill("4")
    page.locator("#id_cv").set_input_files(
        files=[{"name": "CV.pdf", "mimeType": "application/pdf", "buffer": make_pdf()}]
    )
    page.locator("input[name=contact_method][value=phone]").check()
    page.locator("main form button[type=submit]").first.click()

    expect(page).to_have_url(re.compile(r"/inscription/etape-4/$"))
    walk.check(page, "step-4")
    page.locator("#id_target_1").select_option(str(territory.pk))
    page.locator("#id_timeline").select_option("6_months")
    page.locator("#id_housing_need").select_option("rent")
    page.locator("main form button[type=submit]").first.click()

    expect(page).to_have_url(re.compile(r"/inscription/etape-5/$"))
    walk.check(page, "step-5")
    page.locator("#id_coaching").check()
    page.locator("#id_sharing").check()
    page.locator("main form button[type=submit]").first.click()

    expect(page).to_have_url(re.compile(r"/inscription/verification/$"))
    walk.check(page, "review")
    page.locator("main form[action$='/inscription/verification/'] button[type=submit]").click()

    # --- Mon dossier, its pages, « Mon compte ». ----------------------------------------------------
    expect(page).to_have_url(re.compile(r"/mon-dossier/$"))
    walk.check(page, "my-file")
    for url, name in [
        ("/mon-dossier/consentements/", "my-file-consents"),
        ("/mon-dossier/coordonnees/", "my-file-identity"),
        ("/mon-dossier/supprimer/", "my-file-delete"),
        ("/compte/", "account-candidate"),
        ("/comptes/password/change/", "password-change"),
        ("/comptes/2fa/", "second-factor"),
    ]:
        walk.visit(page, url, name)
    page.context.close()

    # --- The counsellor: queue, take on the new file, the files, statistics, Mon compte. ------------
    page = english_page(browser, live_server, counsellor)
    walk.visit(page, "/conseil/", "queue")
    walk.visit(page, "/conseil/?vue=reponses", "queue-answers")
    new_file = world["referred"].__class__.objects.get(email=email)
    page.goto("/conseil/")
    page.locator(f"button[formaction$='/conseil/prendre-en-charge/'][value='{new_file.pk}']").click()
    page.wait_for_load_state("load")
    walk.check(page, "queue-after-take-on")
    walk.visit(page, f"/conseil/candidats/{new_file.pk}/", "file-new")
    page.locator("form[action$='/notes/'] textarea[name=text]").fill("First call: CV to rework.")
    page.locator("form[action$='/notes/'] button[type=submit]").click()
    page.wait_for_load_state("load")
    walk.check(page, "file-note-added")
    note = CoachingNote.objects.get(candidate=new_file)
    walk.visit(page, f"/conseil/candidats/{new_file.pk}/notes/{note.pk}/modifier/", "file-note-edit")
    walk.visit(page, f"/conseil/candidats/{world['referred'].pk}/", "file-referred")
    walk.visit(page, "/statistiques/", "statistics")
    walk.visit(page, "/compte/", "account-counsellor")
    page.context.close()

    # --- The agent: the link page, under review, the confirmation, accepted; the space. -------------
    referral = world["referred"].referrals.get(territory=territory)
    _, token = referral_link_create(referral=referral, agent=agent)
    page = english_page(browser, live_server)
    walk.visit(page, f"/r/{token}/", "agent-link")
    page.locator("main form button[value=review]").click()
    page.wait_for_load_state("load")
    walk.check(page, "agent-link-under-review")
    page.locator("main form button[value=accept]").click()
    walk.check(page, "agent-link-confirm")
    page.locator("main form:has(input[name=confirm]) button[type=submit]").click()
    expect(page.locator("#decision")).to_be_visible()
    walk.check(page, "agent-link-accepted")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    page.context.close()

    page = english_page(browser, live_server, agent.user)
    walk.visit(page, "/agent/", "agent-space")
    walk.visit(page, f"/agent/orientations/{referral.pk}/", "agent-referral")
    page.locator("#follow-up-form select[name=step]").select_option(index=1)
    page.locator("#follow-up-form textarea[name=note]").fill("Called her: visit next week.")
    page.locator("#follow-up-form button[type=submit]").click()
    page.wait_for_load_state("load")
    walk.check(page, "agent-follow-up-recorded")
    walk.visit(page, "/agent/envoyer-a-eer/", "agent-refer-to-eer")
    walk.visit(page, "/compte/", "account-agent")
    page.context.close()

    # --- The referred person reads what happened. ---------------------------------------------------
    page = english_page(browser, live_server, world["referred"].user)
    walk.visit(page, "/mon-dossier/", "my-file-referred")
    page.context.close()

    # --- The emails the walk sent to people who read English. ---------------------------------------
    readers = {email, world["referred"].email, counsellor.email}

    def to_readers():
        return [message for message in smtp_server.received if readers & {r.lower() for r in message.recipients}]

    # Sara: sent to the first territory, its decline, under review, accepted; Camille: the decline,
    # under review, accepted; Amina: the code, the file received, her counsellor.
    poll(lambda: len(to_readers()) >= 10, timeout=30, describe=lambda: f"10 emails, got {list(map(str, to_readers()))}")
    for message in to_readers():
        for part, text in (("subject", message.subject), ("text", message.text), ("html", visible_text(message.html))):
            if lines := [line for line in PROPER_NAME.sub("", text).splitlines() if FRENCH_WORDS.search(line)]:
                walk.problems.append(f"email {message} ({part}): French left: {lines[:5]}")

    assert walk.pages >= 45, walk.pages
    assert walk.problems == [], "\n".join(walk.problems)
