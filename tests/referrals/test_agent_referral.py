"""The reverse referral: a PAJ agent sends a person whose project is not mature yet to EER."""

import re

import pytest
from django.urls import reverse

from candidates.consents import AGENT_COACHING_WORDING
from candidates.history import with_texts
from candidates.models import Candidate, CandidateEvent, CandidateStatus, Consent, ProfileKind
from referrals.services import ReferralError, candidate_refer_to_eer
from tests.factories import CandidateFactory, CounsellorFactory, TerritoryFactory
from tests.referrals.factories_agent import agent_with_account

pytestmark = pytest.mark.django_db

NOTE = "Ingénieure civile arrivée il y a 3 mois ; diplôme à faire reconnaître, CV à adapter."


@pytest.fixture
def agent():
    return agent_with_account(territories=[TerritoryFactory(name="Rimouski-Neigette")])


def refer(agent, **overrides):
    values = {
        "agent": agent,
        "first_name": "Awa",
        "last_name": "Ndiaye",
        "email": "Awa.Ndiaye@Example.org",
        "phone": "+14185550199",
        "language": "fr-ca",
        "note": NOTE,
        "consent": True,
    }
    return candidate_refer_to_eer(**{**values, **overrides})


def form_data(**overrides):
    return {
        "first_name": "Awa",
        "last_name": "Ndiaye",
        "email": "awa.ndiaye@example.org",
        "phone": "418 555-0199",
        "language": "fr-ca",
        "note": NOTE,
        "consent": "on",
        **overrides,
    }


def test_a_new_file_waits_for_triage_with_the_agents_note(agent):
    candidate = refer(agent)

    candidate.refresh_from_db()
    assert (candidate.first_name, candidate.last_name, candidate.email, str(candidate.phone)) == (
        "Awa",
        "Ndiaye",
        "awa.ndiaye@example.org",
        "+14185550199",
    )
    assert (candidate.status, candidate.profile_kind, candidate.language) == (
        CandidateStatus.NEW,
        ProfileKind.IMMIGRANT,
        "fr-ca",
    )
    assert candidate.submitted_at is not None
    assert candidate.user is None
    consent = Consent.objects.get(candidate=candidate)
    assert (consent.purpose, consent.granted, consent.method, consent.text_version) == (
        Consent.Purpose.COACHING,
        True,
        Consent.Method.AGENT,
        AGENT_COACHING_WORDING.version,  # the agent's words, not the form's
    )
    assert "l'agent·e transmette à EER ses coordonnées" in consent.text.text
    assert consent.text.language == "fr-ca"
    event = CandidateEvent.objects.get(candidate=candidate, kind=CandidateEvent.Kind.AGENT_REFERRAL)
    assert NOTE in event.note
    text = with_texts([event])[0].text
    assert str(agent) in text
    assert "Rimouski-Neigette" in text
    assert event.actor == agent.user
    assert CandidateEvent.objects.filter(candidate=candidate, kind=CandidateEvent.Kind.REGISTERED).exists()


def test_the_new_file_is_in_the_counsellors_to_triage_tab(client, agent):
    candidate = refer(agent)

    assert candidate in Candidate.objects.awaiting_triage()
    assert candidate in Candidate.objects.to_triage()
    client.force_login(CounsellorFactory())
    page = client.get(reverse("counselling:queue"), {"vue": "a-trier"}).content.decode()
    assert "Ndiaye" in page


def test_an_existing_file_is_untouched_and_the_new_one_is_flagged_for_triage(client, agent):
    """Whatever files exist, the agent's note opens a new file: the agent learns nothing of them, a
    file they never received gets nothing from them, and the counsellors see the possible
    duplicate at triage and merge."""
    existing = CandidateFactory(email="awa.ndiaye@example.org", status=CandidateStatus.COACHING)
    events_before = CandidateEvent.objects.filter(candidate=existing).count()

    candidate = refer(agent, email="AWA.NDIAYE@example.org", first_name="Autre", last_name="Nom")

    assert candidate != existing and Candidate.objects.count() == 2
    assert CandidateEvent.objects.filter(candidate=existing).count() == events_before
    client.force_login(CounsellorFactory())
    page = client.get(reverse("counselling:queue"), {"vue": "a-trier"}).content.decode()
    assert reverse("counselling:merge_confirm", args=[existing.pk, candidate.pk]) in page


def test_an_agent_sends_at_most_the_daily_limit(agent, settings):
    settings.AGENT_INTAKES_PER_DAY = 2
    refer(agent, email="a@example.org")
    refer(agent, email="b@example.org")

    with pytest.raises(ReferralError, match="maximum"):
        refer(agent, email="c@example.org")
    assert Candidate.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "match"),
    [({"consent": False}, "accepté"), ({"note": "   "}, "quelques mots")],
)
def test_refusals_change_nothing(agent, overrides, match):
    with pytest.raises(ReferralError, match=match):
        refer(agent, **overrides)
    assert not Candidate.objects.exists()
    assert not CandidateEvent.objects.exists()


def test_an_inactive_agent_is_refused(agent):
    agent.is_active = False
    agent.save()

    with pytest.raises(ReferralError):
        refer(agent)
    assert not Candidate.objects.exists()


def test_all_or_nothing(agent, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Consent, "save", broken)

    with pytest.raises(RuntimeError):
        refer(agent)
    assert not Candidate.objects.exists()
    assert not CandidateEvent.objects.exists()


# --- The page ---------------------------------------------------------------------------------


def test_agent_sends_a_person_from_the_form(client, agent):
    client.force_login(agent.user)

    response = client.post(reverse("referrals:agent_refer_to_eer"), form_data())

    assert response["Location"] == reverse("referrals:agent_home")
    candidate = Candidate.objects.get()
    assert (candidate.email, str(candidate.phone)) == ("awa.ndiaye@example.org", "+14185550199")
    assert "un·e conseiller·ère va la contacter" in client.get(response["Location"]).content.decode()


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_the_form_says_the_same_whatever_files_exist(client, agent):
    client.force_login(agent.user)
    unknown = client.post(reverse("referrals:agent_refer_to_eer"), form_data(), follow=True).content.decode()
    CandidateFactory(email="awa.ndiaye@example.org", first_name="Secret", goals="Objectifs confidentiels")

    known = client.post(reverse("referrals:agent_refer_to_eer"), form_data(), follow=True).content.decode()

    # The page, but for the CSRF tokens (masked differently in every response).
    assert without_tokens(known.split("<main")[1]) == without_tokens(unknown.split("<main")[1])
    assert "Secret" not in known and "Objectifs confidentiels" not in known


@pytest.mark.parametrize("missing", ["consent", "first_name", "last_name", "email", "note", "language"])
def test_the_form_requires_its_fields(client, agent, missing):
    client.force_login(agent.user)
    data = form_data()
    del data[missing]

    response = client.post(reverse("referrals:agent_refer_to_eer"), data)

    assert response.status_code == 400
    assert not Candidate.objects.exists()


def test_the_phone_is_optional_but_checked(client, agent):
    client.force_login(agent.user)

    bad = client.post(reverse("referrals:agent_refer_to_eer"), form_data(phone="pas un numéro"))
    assert bad.status_code == 400

    client.post(reverse("referrals:agent_refer_to_eer"), form_data(phone=""))
    assert Candidate.objects.get().phone == ""


def test_hostile_text_is_cleaned_and_escaped(client, agent):
    hostile = "<script>alert(1)</script>"
    client.force_login(agent.user)

    response = client.post(
        reverse("referrals:agent_refer_to_eer"), form_data(first_name=hostile, note=f"{hostile}\x1b[31m", email="x")
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert hostile not in page
    assert "&lt;script&gt;" in page

    client.post(reverse("referrals:agent_refer_to_eer"), form_data(note=f"{hostile}\x1b[31m"))
    note = CandidateEvent.objects.get(kind=CandidateEvent.Kind.AGENT_REFERRAL).note
    assert "\x1b" not in note


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_form_is_for_agents_only(client, method):
    client.force_login(CounsellorFactory())

    assert getattr(client, method)(reverse("referrals:agent_refer_to_eer"), form_data()).status_code == 403
    assert not Candidate.objects.exists()
