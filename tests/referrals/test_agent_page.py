"""The agent's page of one referral (the emailed link and the space) carries what a call needs,
each item only when the person's sharing consent covers it, with labels that say what they mean;
accepting goes through a confirmation that works without JavaScript."""

import html as html_lib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from candidates.consents import LEGACY_SHARING_COVERS, Wording, consent_row
from candidates.models import CandidateStatus, MaturityAssessment
from referrals.models import Referral, ReferralStatus, ReferralTransition
from referrals.services import referral_decline, referral_link_create, referral_send
from tests.factories import AgentFactory, CandidateFactory, CounsellorFactory, TerritoryFactory
from tests.pages import link_page
from tests.referrals.factories_agent import agent_with_account, referral_for

pytestmark = pytest.mark.django_db

PERSON = {
    "first_name": "Amina",
    "last_name": "Diallo",
    "phone": "+14185550123",
    "contact_method": "phone",
    "contact_times": "en semaine après 17 h",
    "has_partner": True,
    "children_count": 2,
    "interests": "Ski de fond, théâtre amateur",
    "immigration_status": "work_permit",
    "highest_diploma": "college",
    "diploma_recognition": "in_progress",
    "french_level": "intermediate",
    "english_level": "fluent",
}


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


@pytest.fixture
def chain():
    """Amina, referred to two territories (Kamouraska first) after her project was declared mature
    with the checklist ticked and a note."""
    counsellor = CounsellorFactory()
    first, second = TerritoryFactory(name="Kamouraska"), TerritoryFactory(name="Rimouski-Neigette")
    agent = agent_with_account(territories=[first])
    AgentFactory(territories=[second])
    candidate = CandidateFactory(
        target_territory=first, more_targets=[second], status=CandidateStatus.COACHING, **PERSON
    )
    MaturityAssessment.objects.create(
        candidate=candidate,
        cv_reworked=True,
        work_authorization_valid=True,
        mature_at=candidate.created_at,
        mature_by=counsellor,
        mature_note="Séjour exploratoire fait en octobre.",
    )
    referral = referral_send(candidate=candidate, territories=[first, second], by=counsellor, message="Prête.")
    return referral, agent


def both_pages(referral, agent, language="fr-ca") -> dict[str, str]:
    link_client, space = Client(), Client()
    space.force_login(agent.user)
    for client in (link_client, space):
        client.cookies["django_language"] = language
    page = link_page(link_client, referral_link_create(referral=referral, agent=agent)[1])
    return {
        "link": text(link_client.get(page)),
        "space": text(space.get(reverse("referrals:agent_referral", args=[referral.pk]))),
    }


def test_the_page_carries_what_a_call_needs(chain):
    referral, agent = chain

    for html in both_pages(referral, agent).values():
        assert "Téléphone · en semaine après 17 h" in " ".join(html.split())
        assert "En couple" in html and "2 enfants : des places en garderie ou à l'école à prévoir" in html
        assert "Ski de fond, théâtre amateur" in html
        assert "Autorisation de travail" in html and "Permis de travail" in html
        # The counsellor's assessment: the checklist and the decision note.
        assert "Évaluation du projet par le ou la conseiller·ère" in html
        assert "CV retravaillé" in html and "Séjour exploratoire fait en octobre." in html
        assert "Réponse attendue d'ici le" in html
        assert "1er de 2 territoires" in html
        # Before acceptance: neither the phone nor the email (the footer's help line is the platform's).
        main = html.split("<main")[1].split("</main>")[0]
        assert "tel:" not in main and referral.candidate.email not in html


def test_labels_say_what_they_mean(chain):
    referral, agent = chain

    html = both_pages(referral, agent)["link"]
    flat = " ".join(html.split())
    assert "(en cours)" not in html  # the recognition is not the diploma
    assert 'Diplôme le plus élevé</dt> <dd class="col-sm-8"> Collégial (DEC ou équivalent) </dd>' in flat
    assert 'Reconnaissance des diplômes au Québec</dt> <dd class="col-sm-8"> En cours </dd>' in flat


def test_in_english_the_language_level_and_the_place_in_the_list_read_right(chain):
    referral, agent = chain

    for html in both_pages(referral, agent, language="en").values():
        flat = " ".join(html.split())
        assert 'French</dt> <dd class="col-sm-8"> Intermediate </dd>' in flat
        assert "English</dt>" in flat
        assert "Français</dt>" not in flat and "Anglais</dt>" not in flat
        assert "1st of 2 territories" in flat
        assert "Work authorization" in flat and "2 children" in flat


def test_the_second_territory_reads_its_place(chain):
    referral, agent = chain
    referral_decline(referral=referral, agent=agent, category="housing")
    following = Referral.objects.get(chain=referral.chain, rank=2)
    second_agent = following.territory.agents.get()
    client = Client()
    page = link_page(client, referral_link_create(referral=following, agent=second_agent)[1])

    assert "2e de 2 territoires" in text(client.get(page))


def test_after_acceptance_the_phone_in_national_format_with_a_tel_link():
    agent = agent_with_account()
    candidate = CandidateFactory(
        target_territory=agent.territories.first(), status=CandidateStatus.TAKEN_ON, phone="+14185550123"
    )
    referral = referral_for(agent, status=ReferralStatus.ACCEPTED, candidate=candidate)
    foreign = CandidateFactory(
        target_territory=agent.territories.first(), status=CandidateStatus.TAKEN_ON, phone="+33612345678"
    )
    abroad = referral_for(agent, status=ReferralStatus.ACCEPTED, candidate=foreign)

    html = both_pages(referral, agent)["space"]
    assert '<a href="tel:+14185550123" id="candidate-phone">(418) 555-0123</a>' in html
    assert '<a href="tel:+33612345678" id="candidate-phone">+33 6 12 34 56 78</a>' in both_pages(abroad, agent)["space"]


def test_a_consent_of_the_first_wording_shows_neither_the_contact_preference_nor_the_assessment():
    """Its words said "my summary and my CV": the assessment is the counsellor's message and
    evaluation, the contact preference goes with the contact details."""
    agent = agent_with_account()
    candidate = CandidateFactory(
        consents=False,
        status=CandidateStatus.REFERRED,
        target_territory=agent.territories.first(),
        mature=True,
        **PERSON,
    )
    legacy = Wording(version="2026-11-sharing-v1", text="…", explanation="", covers=LEGACY_SHARING_COVERS)
    consent_row(candidate=candidate, purpose="sharing", granted=True, method="my_file", wording=legacy).save()
    referral = referral_for(agent, candidate=candidate)

    for html in both_pages(referral, agent).values():
        assert "Amina Diallo" in html and "Ski de fond" in html  # the summary
        assert "en semaine après 17 h" not in html
        assert "Évaluation du projet" not in html and "Projet mûr." not in html


# --- Accepting asks for a confirmation ----------------------------------------------------------


def test_accepting_from_the_link_goes_through_a_confirmation_page(chain, django_capture_on_commit_callbacks):
    referral, agent = chain
    client = Client()
    page = link_page(client, referral_link_create(referral=referral, agent=agent)[1])

    confirm = client.post(page, {"decision": "accept"})

    assert confirm.status_code == 200
    html = text(confirm)
    assert "Confirmer l'acceptation" in html and "Vous allez accepter l'orientation de Amina Diallo" in html
    assert f'action="{page}"' in html and 'name="confirm" value="1"' in html
    assert "no-store" in confirm["Cache-Control"]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING
    assert not ReferralTransition.objects.filter(referral=referral, to_status=ReferralStatus.ACCEPTED).exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(page, {"decision": "accept", "confirm": "1"})

    assert done.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


def test_accepting_from_the_space_goes_through_a_confirmation_page(chain):
    referral, agent = chain
    client = Client()
    client.force_login(agent.user)
    url = reverse("referrals:agent_answer", args=[referral.pk])

    confirm = client.post(url, {"decision": "accept"})

    assert confirm.status_code == 200 and "Oui, accepter l'orientation" in text(confirm)
    assert f'action="{url}"' in text(confirm)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING

    client.post(url, {"decision": "accept", "confirm": "1"})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


def test_the_confirmation_speaks_english(chain):
    referral, agent = chain
    client = Client()
    client.force_login(agent.user)
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        html = text(client.post(reverse("referrals:agent_answer", args=[referral.pk]), {"decision": "accept"}))
    assert "Yes, accept the referral" in html and "Confirm the acceptance" in html
