"""The referral workflow in Chromium, with a real Celery worker and SMTP server: a counsellor
refers a candidate to two territories in order; the first territory's agent declines from the
link in their email; the second territory's agent gets a link, accepts, then signs in with a
code sent by email and records the follow-up until the person has settled; the counsellor sees
that follow-up on the file."""

import re

import pytest
from playwright.sync_api import expect

from candidates.models import Candidate, CandidateStatus
from referrals.models import Referral
from tests.e2e.conftest import sign_in
from tests.e2e.test_browser_path import accessibility_problems
from tests.factories import PASSWORD, AgentFactory, CandidateFactory, CounsellorFactory, RegionFactory, TerritoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker]

LINK = r"/r/[A-Za-z0-9_-]{43}/"


def link_in(message, live_server) -> str:
    match = re.search(re.escape(live_server.url) + LINK, message.text)
    assert match, message.text
    return match.group(0)


def test_decline_passes_on_then_accept_and_follow_up_to_settled(
    live_server, new_page, celery_worker_process, smtp_server
):
    region = RegionFactory(code="01", name_fr="Bas-Saint-Laurent")
    first = TerritoryFactory(name="Kamouraska", region=region)
    second = TerritoryFactory(name="Rimouski-Neigette", region=region)
    first_agent = AgentFactory(territories=[first], first_name="Josée", last_name="Tremblay")
    second_agent = AgentFactory(territories=[second], first_name="Marc", last_name="Bélanger")
    counsellor = CounsellorFactory()
    candidate = CandidateFactory(
        first_name="Amina",
        last_name="Diallo",
        target_territory=first,
        status=CandidateStatus.COACHING,
        counsellor=counsellor,
        mature=counsellor,
    )
    candidate.targets.create(territory=second, rank=2)
    celery_worker_process(site_url=live_server.url)
    audit: list[str] = []

    # 1. The counsellor refers her to both territories, in her own order (the form is prefilled).
    page = new_page()
    page.goto("/comptes/login/")
    sign_in(page, counsellor.email, PASSWORD)
    page.goto(f"/conseil/candidats/{candidate.pk}/")
    expect(page.get_by_role("combobox", name="1er territoire")).to_have_value(str(first.pk))
    expect(page.get_by_role("combobox", name=re.compile("^2e territoire"))).to_have_value(str(second.pk))
    page.get_by_label("Message à l'agent·e").fill("Infirmière, permis en cours, séjour exploratoire fait.")
    page.get_by_role("button", name="Envoyer l'orientation").click()
    expect(page.get_by_role("status").filter(has_text="Orientation envoyée")).to_be_visible()
    referrals = page.locator("[id^=orientation-]")
    expect(referrals.nth(0)).to_contain_text("Kamouraska")
    expect(referrals.nth(0)).to_contain_text("En attente de réponse")
    expect(referrals.nth(1)).to_contain_text("Rimouski-Neigette")
    expect(referrals.nth(1)).to_contain_text("À venir")

    # 2. The first agent declines from their link, with a reason from the list.
    [to_first] = smtp_server.wait_for(to=first_agent.email)
    first_page = new_page()
    first_page.goto(link_in(to_first, live_server))
    expect(first_page.get_by_text("Infirmière, permis en cours")).to_be_visible()
    audit += accessibility_problems(first_page)
    first_page.get_by_label("Raison du refus").select_option(label="Logement trop difficile à trouver en ce moment")
    first_page.get_by_role("button", name="Refuser cette orientation").click()
    expect(first_page.locator("#decision")).to_contain_text("Refusée par Josée Tremblay")
    expect(first_page.locator("#decision")).to_contain_text("passée au territoire suivant")
    expect(first_page.get_by_role("button", name="Accepter cette orientation")).to_have_count(0)

    # 3. The second territory's agent gets their own link, and accepts.
    [to_second] = smtp_server.wait_for(to=second_agent.email)
    second_link = link_in(to_second, live_server)
    second_page = new_page()
    second_page.goto(second_link)
    token = second_link.rstrip("/").rsplit("/", 1)[-1]
    assert token not in second_page.url  # the token left the URL at once
    expect(second_page.get_by_role("heading", level=1)).to_contain_text("Rimouski-Neigette")
    # He reads English: the header's language switch works on the link's page (Django's own CSRF).
    second_page.get_by_role("button", name="English").first.click()
    expect(second_page.get_by_role("button", name="Accept this referral")).to_be_visible()
    second_page.get_by_role("button", name="Français").first.click()
    second_page.get_by_role("button", name="Accepter cette orientation").click()
    # Accepting asks for a confirmation first (a second POST, no JavaScript needed).
    second_page.get_by_role("button", name="Oui, accepter l'orientation").click()
    expect(second_page.locator("#decision")).to_contain_text("Acceptée par Marc Bélanger")

    # 4. Later, the agent signs in with a code sent by email, and records the follow-up.
    second_page.goto("/comptes/login/")
    second_page.get_by_role("link", name="Recevoir un code de connexion par courriel").click()
    second_page.get_by_label("Courriel").fill(second_agent.email)
    second_page.get_by_role("button", name="Recevoir un code").click()
    expect(second_page.get_by_role("heading", name="Saisissez votre code de connexion")).to_be_visible()
    [with_code] = smtp_server.wait_for(lambda m: re.search(r"[A-Z]{4}-[A-Z]{4}", m.text), to=second_agent.email)
    code = re.search(r"^\s*([A-Z]{4}-[A-Z]{4})\s*$", with_code.text, re.M).group(1)
    second_page.get_by_label("Code").fill(code)
    second_page.get_by_role("button", name="Se connecter").click()
    expect(second_page).to_have_url(re.compile(r"/agent/$"))
    audit += accessibility_problems(second_page)
    second_page.get_by_role("link", name=re.compile("^Acceptées")).click()
    second_page.get_by_role("link", name="Amina Diallo").click()
    expect(second_page.get_by_role("link", name="Télécharger le CV")).to_have_count(0)  # she gave none
    for step, note in [
        ("Premier contact fait", "Appel de 30 minutes."),
        ("Déménagement en région", "Logement trouvé à Rimouski."),
        ("Établi·e dans la région", ""),
    ]:
        second_page.get_by_role("combobox", name="Étape").select_option(label=step)
        second_page.get_by_label("Note sur cette étape").fill(note)
        second_page.get_by_role("button", name="Enregistrer l'étape").click()
        expect(second_page.locator("#follow-up-form, main").first).to_contain_text(step)
    audit += accessibility_problems(second_page)
    expect(second_page.get_by_text("Logement trouvé à Rimouski.")).to_be_visible()

    # 5. The counsellor sees the same follow-up on the file; the candidate has settled.
    page.reload()
    expect(page.locator("[id^=orientation-]").filter(has_text="Rimouski-Neigette")).to_contain_text(
        "Établi·e dans la région"
    )
    candidate = Candidate.objects.get(pk=candidate.pk)
    assert candidate.status == CandidateStatus.SETTLED
    assert sorted(Referral.objects.values_list("territory__name", "status")) == [
        ("Kamouraska", "declined"),
        ("Rimouski-Neigette", "accepted"),
    ]
    assert audit == [], audit
