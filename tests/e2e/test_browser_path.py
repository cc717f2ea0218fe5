"""The whole path in Chromium, as people walk it: a candidate signs up, confirms their address with
the emailed code, fills in the registration steps and sends their file; a counsellor declares their
project mature and refers them, the agent answers from the link in their email, the candidate sees
the answer. The web server is pytest-django's live_server; the emails go through a real Celery
worker and SMTP server."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from candidates.models import years_ago
from tests.documents import make_pdf
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, AgentFactory, CounsellorFactory, RegionFactory, TerritoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker]

CANDIDATE_PASSWORD = "Saguenay-en-hiver-2026"


def accessibility_problems(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    return [
        f"{page.url} [{v['impact']}] {v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_from_registration_to_the_agents_answer(live_server, new_page, celery_worker_process, smtp_server):
    region = RegionFactory(code="02", name_fr="Saguenay–Lac-Saint-Jean")
    territory = TerritoryFactory(name="Maria-Chapdelaine", region=region)
    agent = AgentFactory(territories=[territory], first_name="Josée", last_name="Tremblay")
    counsellor = CounsellorFactory()
    celery_worker_process(site_url=live_server.url)

    # 1. The candidate registers.
    page = new_page()
    problems: list[str] = []

    def on_console(message) -> None:
        # CSP violations are console errors too. The site has no favicon: Chromium's automatic
        # request for /favicon.ico is not the page's doing.
        url = message.location.get("url", "")
        if message.type == "error" and not url.endswith("/favicon.ico"):
            problems.append(f"{message.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("link", name="Je m'inscris").click()
    expect(page).to_have_url(re.compile(r"/inscription/$"))
    page.wait_for_load_state("load")
    assert problems == [], problems

    page.get_by_label("Prénom").fill("Amina")
    page.get_by_label("Nom de famille").fill("Diallo")
    page.get_by_label("Courriel").fill("amina.diallo@example.org")
    page.get_by_label("Mot de passe").fill(CANDIDATE_PASSWORD)
    born, date_of_birth = years_ago(27), page.get_by_role("group", name="Date de naissance")
    date_of_birth.get_by_label("Jour").fill(str(born.day))
    date_of_birth.get_by_label("Mois").select_option(str(born.month))
    date_of_birth.get_by_label("Année").fill(str(born.year))
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", name="Confirmez votre adresse courriel")).to_be_visible()

    # The code comes by email, sent by the worker.
    [with_code] = smtp_server.wait_for(to="amina.diallo@example.org")
    code = re.search(r"^\s*([A-Z0-9]{4}-?[A-Z0-9]{4})\s*$", with_code.text, re.M)
    assert code, with_code.text
    page.get_by_label("Code").fill(code.group(1))
    page.get_by_role("button", name="Confirmer").click()

    # Step 2: the immigration questions show once "Personne immigrante" is chosen.
    expect(page).to_have_url(re.compile(r"/inscription/etape-2/$"))
    expect(page.get_by_text("Étape 2 sur 5")).to_be_visible()
    immigrant_fields = page.get_by_role("group", name="Pour les personnes immigrantes")
    expect(immigrant_fields).to_be_hidden()
    page.get_by_role("button", name="Enregistrer et continuer").click()  # nothing chosen: errors
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary")).to_contain_text("Ce champ est obligatoire.")
    audit = accessibility_problems(page)
    page.get_by_label("Personne immigrante").check()
    expect(immigrant_fields).to_be_visible()
    page.get_by_label("Pays d'origine").select_option(label="Sénégal")
    page.get_by_label("Date d'arrivée au Québec").fill("2024-09-01")
    page.get_by_label("Statut d'immigration actuel").select_option(label="Résident·e permanent·e")
    page.get_by_label("Reconnaissance de vos diplômes au Québec").select_option(label="En cours")
    page.get_by_label("Niveau de français").select_option(label="Courant ou langue maternelle")
    audit += accessibility_problems(page)
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # Step 3, with a CV.
    expect(page).to_have_url(re.compile(r"/inscription/etape-3/$"))
    page.get_by_label("Domaine professionnel").fill("Soins infirmiers")
    page.get_by_label("Diplôme le plus élevé").select_option(label="Baccalauréat (licence)")
    page.get_by_label("Années d'expérience de travail").fill("4")
    page.get_by_label("CV (PDF ou Word)").set_input_files(
        files=[{"name": "CV Amina.pdf", "mimeType": "application/pdf", "buffer": make_pdf()}]
    )
    page.get_by_role("radio", name="Téléphone").check()
    audit += accessibility_problems(page)
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # Step 4: a target territory.
    expect(page).to_have_url(re.compile(r"/inscription/etape-4/$"))
    page.get_by_role("combobox", name="1er choix").select_option(label=territory.name)
    page.get_by_label("Quand aimeriez-vous vous installer ?").select_option(label="D'ici 6 mois")
    page.get_by_label("Votre besoin de logement").select_option(label="Louer un logement")
    audit += accessibility_problems(page)
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # Step 5: coaching and sharing.
    expect(page).to_have_url(re.compile(r"/inscription/etape-5/$"))
    page.get_by_label("Emplois en régions peut conserver et utiliser mon dossier").check()
    page.get_by_label("Les agent·e·s Place aux jeunes des territoires que j'ai choisis").check()
    audit += accessibility_problems(page)
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # Review, then send.
    expect(page).to_have_url(re.compile(r"/inscription/verification/$"))
    expect(page.get_by_text("CV Amina.pdf")).to_be_visible()
    expect(page.get_by_text(territory.name)).to_be_visible()
    audit += accessibility_problems(page)
    assert audit == [], audit
    page.get_by_role("button", name="Envoyer mon inscription").click()
    expect(page).to_have_url(re.compile(r"/mon-dossier/$"))
    expect(page.get_by_role("status").filter(has_text="Votre inscription est envoyée")).to_be_visible()
    assert problems == [], problems

    # 2. The counsellor signs in and refers the candidate to the territory.
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("link", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/comptes/login/$"))
    sign_in(page, counsellor.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/conseil/$"))  # a counsellor lands on the dashboard
    # "À trier": she waits there; the counsellor takes her on and lands on her file.
    row = page.get_by_role("row").filter(has_text="Amina Diallo")
    row.get_by_role("button", name="Prendre en charge").click()
    expect(page.get_by_role("status").filter(has_text="Vous accompagnez maintenant Amina Diallo")).to_be_visible()
    expect(page.get_by_role("heading", name="Amina Diallo")).to_be_visible()
    # A referral needs the project declared mature first.
    expect(page.get_by_label("Raison d'orienter sans projet déclaré mûr")).to_be_visible()
    page.get_by_label("Note sur la décision").fill(
        "CV revu, diplôme en cours de reconnaissance, séjour exploratoire fait."
    )
    page.get_by_role("button", name="Déclarer le projet mûr").click()
    expect(page.get_by_role("status").filter(has_text="Projet déclaré mûr")).to_be_visible()
    expect(page.get_by_label("Raison d'orienter sans projet déclaré mûr")).to_have_count(0)
    expect(page.get_by_role("combobox", name="1er territoire")).to_have_value(str(territory.pk))  # her choice
    page.get_by_label("Message à l'agent·e").fill("Projet d'installation solide ; infirmière, permis en cours.")
    page.get_by_role("button", name="Envoyer l'orientation").click()
    expect(page.get_by_role("status").filter(has_text="Orientation envoyée")).to_be_visible()

    # 3. The agent's email, sent by the worker, holds their personal link.
    [to_agent] = smtp_server.wait_for(to=agent.email)
    match = re.search(re.escape(live_server.url) + r"/r/[A-Za-z0-9_-]{43}/", to_agent.text)
    assert match, to_agent.text

    # 4. The agent, who has no account, opens the link and accepts.
    agent_page = new_page()
    agent_page.goto(match.group(0))
    expect(agent_page.get_by_role("heading", level=1)).to_contain_text("Amina Diallo")
    expect(agent_page.get_by_text("Projet d'installation solide")).to_be_visible()
    agent_page.get_by_role("button", name="Accepter cette orientation").click()
    agent_page.get_by_role("button", name="Oui, accepter l'orientation").click()  # the confirmation
    expect(agent_page.locator("#decision")).to_contain_text("Acceptée par Josée Tremblay")
    expect(agent_page.get_by_role("button", name="Accepter cette orientation")).to_have_count(0)

    # 5. The candidate and the counsellor are told; the candidate follows their email's link.
    # (The candidate's earlier emails — file received, counsellor, referred — link /mon-dossier/ too.)
    [to_candidate] = smtp_server.wait_for(
        lambda m: "/mon-dossier/" in m.text and agent.email in m.text, to="amina.diallo@example.org"
    )
    smtp_server.wait_for(to=counsellor.email)
    link = re.search(re.escape(live_server.url) + r"/mon-dossier/", to_candidate.text)
    assert link, to_candidate.text
    candidate_page = new_page()
    candidate_page.goto(link.group(0))
    sign_in(candidate_page, "amina.diallo@example.org", CANDIDATE_PASSWORD)
    expect(candidate_page).to_have_url(re.compile(r"/mon-dossier/$"))
    # Mon dossier says who takes them on and how to write to them (the page's layout is Mon dossier's).
    expect(candidate_page.locator("#statut")).to_contain_text("Pris·e en charge par un·e agent·e PAJ")
    expect(candidate_page.get_by_text("Josée Tremblay").first).to_be_visible()
    expect(candidate_page.get_by_role("link", name=agent.email)).to_be_visible()
