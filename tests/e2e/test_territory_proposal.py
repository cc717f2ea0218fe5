"""A territory proposal in Chromium, with a real Celery worker and SMTP server: the counsellor
proposes a territory the person did not choose; the person gets an email, follows its link, signs
in and accepts in Mon dossier; the counsellor then refers her there, and its agent gets the link."""

import re

import pytest
from playwright.sync_api import expect

from candidates.models import CandidateStatus, TerritoryProposal
from referrals.models import Referral
from tests.e2e.conftest import sign_in
from tests.e2e.test_browser_path import accessibility_problems
from tests.factories import PASSWORD, AgentFactory, CandidateFactory, CounsellorFactory, RegionFactory, TerritoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_propose_accept_in_my_file_then_refer(live_server, new_page, celery_worker_process, smtp_server):
    region = RegionFactory(code="01", name_fr="Bas-Saint-Laurent", name_en="Bas-Saint-Laurent")
    chosen = TerritoryFactory(name="Kamouraska", region=region)
    proposed = TerritoryFactory(name="Rimouski-Neigette", region=region)
    AgentFactory(territories=[chosen])
    proposed_agent = AgentFactory(territories=[proposed], first_name="Marc", last_name="Bélanger")
    counsellor = CounsellorFactory(first_name="Camille", last_name="Roy")
    candidate = CandidateFactory(
        first_name="Amina",
        last_name="Diallo",
        target_territory=chosen,
        status=CandidateStatus.COACHING,
        counsellor=counsellor,
        mature=counsellor,
    )
    celery_worker_process(site_url=live_server.url)
    audit: list[str] = []

    # 1. The counsellor's referral form offers only Kamouraska; she proposes Rimouski-Neigette.
    page = new_page()
    page.goto("/comptes/login/")
    sign_in(page, counsellor.email, PASSWORD)
    page.goto(f"/conseil/candidats/{candidate.pk}/")
    first_choice = page.get_by_role("combobox", name="1er territoire")
    expect(first_choice.locator("option", has_text="Rimouski-Neigette")).to_have_count(0)
    expect(page.locator("#territoires-choisis")).to_contain_text("Seuls les territoires que la personne a choisis")
    page.locator("#territoires-choisis").get_by_role("link", name="Proposer un autre territoire").click()
    page.get_by_role("combobox", name="Territoire à proposer").select_option(label="Rimouski-Neigette")
    page.get_by_label("Message à la personne (facultatif)").fill("Beaucoup de postes en soins infirmiers à Rimouski.")
    page.get_by_role("button", name="Proposer ce territoire à la personne").click()
    expect(page.get_by_role("status").filter(has_text="Territoire Rimouski-Neigette proposé")).to_be_visible()
    expect(page.locator("#propositions")).to_contain_text("En attente de réponse")
    audit += accessibility_problems(page)

    # 2. The person's email: her first name in the subject, never her last name; a link, no message.
    [email] = smtp_server.wait_for(to=candidate.email)
    assert "Amina" in email.subject and "Diallo" not in email.subject
    assert "Beaucoup de postes" not in email.text
    link = re.search(re.escape(live_server.url) + r"/mon-dossier/territoires-proposes/", email.text).group(0)

    # 3. The link asks her to sign in, then shows the proposal; she accepts.
    person = new_page()
    person.goto(link)
    expect(person).to_have_url(re.compile(r"/comptes/login/"))
    sign_in(person, candidate.email, PASSWORD)
    expect(person).to_have_url(re.compile(r"/mon-dossier/territoires-proposes/$"))
    card = person.locator("[id^=proposition-]")
    expect(card).to_contain_text("Rimouski-Neigette")
    expect(card).to_contain_text("Bas-Saint-Laurent")
    expect(card).to_contain_text("Beaucoup de postes en soins infirmiers à Rimouski.")
    audit += accessibility_problems(person)
    person.get_by_role("button", name="J'accepte Rimouski-Neigette").click()
    expect(person.get_by_role("status").filter(has_text="Vous avez accepté le territoire")).to_be_visible()
    expect(person.locator("#aucune-proposition")).to_be_visible()
    assert TerritoryProposal.objects.get().status == "accepted"

    # 4. The counsellor sees the answer and refers her to Rimouski-Neigette; its agent gets a link.
    page.reload()
    expect(page.locator("#propositions")).to_contain_text("Acceptée")
    page.get_by_role("combobox", name="1er territoire").select_option(label="Rimouski-Neigette")
    page.get_by_role("combobox", name=re.compile("^2e territoire")).select_option(label="Aucun")
    page.get_by_role("button", name="Envoyer l'orientation").click()
    expect(
        page.get_by_role("status").filter(has_text="Orientation envoyée au territoire Rimouski-Neigette")
    ).to_be_visible()
    [to_agent] = smtp_server.wait_for(to=proposed_agent.email)
    assert re.search(re.escape(live_server.url) + r"/r/[A-Za-z0-9_-]{43}/", to_agent.text)
    assert list(Referral.objects.values_list("territory__name", "status")) == [("Rimouski-Neigette", "pending")]
    assert audit == [], audit
