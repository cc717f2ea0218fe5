"""The decision "projet mûr" on the timeline, its withdrawal, and what the file's history and the
candidate's own pages show of the team's events."""

import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from candidates.models import CandidateEvent, CandidateStatus, MaturityAssessment
from candidates.services import (
    CandidateError,
    candidate_declare_mature,
    candidate_reassign,
    candidate_take_on,
    candidate_withdraw_maturity,
)
from referrals.models import ReferralStatus
from tests.factories import CandidateFactory, CoordinatorFactory, CounsellorFactory, ReferralFactory, UserFactory
from tests.pages import file_url

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'


def withdraw_url(candidate) -> str:
    return reverse("counselling:withdraw_maturity", args=[candidate.pk])


@pytest.fixture
def mature(counsellor):
    candidate = CandidateFactory(status=CandidateStatus.COACHING, counsellor=counsellor)
    candidate_declare_mature(candidate=candidate, by=counsellor, note="CV revu, séjour exploratoire fait")
    return candidate


# --- Declaring and withdrawing ------------------------------------------------------------------


def test_declaring_mature_records_an_event_with_the_note(mature, counsellor):
    event = mature.events.get()

    assert (event.kind, event.actor) == ("maturity_declared", counsellor)
    assert event.note == "CV revu, séjour exploratoire fait"


def test_withdrawing_clears_the_decision_keeps_the_checklist_and_logs_the_reason(mature):
    MaturityAssessment.objects.filter(candidate=mature).update(cv_reworked=True)
    colleague = CounsellorFactory()

    candidate_withdraw_maturity(candidate=mature, by=colleague, reason="  Permis de travail expiré \x07 ")

    assessment = MaturityAssessment.objects.get(candidate=mature)
    assert (assessment.mature_at, assessment.mature_by, assessment.mature_note) == (None, None, "")
    assert assessment.cv_reworked is True
    assert [(e.kind, e.note) for e in mature.events.all()] == [
        ("maturity_declared", "CV revu, séjour exploratoire fait"),
        ("maturity_withdrawn", "Permis de travail expiré"),
    ]
    assert mature.events.last().actor == colleague
    mature.refresh_from_db()
    assert mature.status == CandidateStatus.COACHING


def test_the_project_can_be_declared_mature_again(mature, counsellor):
    candidate_withdraw_maturity(candidate=mature, by=counsellor, reason="À revoir")

    candidate_declare_mature(candidate=mature, by=counsellor, note="Revu")

    assert MaturityAssessment.objects.get(candidate=mature).is_mature
    assert [e.kind for e in mature.events.all()] == ["maturity_declared", "maturity_withdrawn", "maturity_declared"]


def test_withdrawing_needs_a_reason(mature, counsellor):
    with pytest.raises(CandidateError, match="Expliquez"):
        candidate_withdraw_maturity(candidate=mature, by=counsellor, reason=" \x07 ")

    assert MaturityAssessment.objects.get(candidate=mature).is_mature


def test_only_a_mature_project_has_a_decision_to_withdraw(counsellor):
    never_assessed, unticked = CandidateFactory(), CandidateFactory()
    MaturityAssessment.objects.create(candidate=unticked, cv_reworked=True)

    for candidate in (never_assessed, unticked):
        with pytest.raises(CandidateError, match="pas déclaré mûr"):
            candidate_withdraw_maturity(candidate=candidate, by=counsellor, reason="Raison")
    assert not CandidateEvent.objects.exists()


@pytest.mark.parametrize("role", ["agent", "candidate"])
def test_only_counsellors_withdraw_the_decision(mature, role):
    with pytest.raises(CandidateError):
        candidate_withdraw_maturity(candidate=mature, by=UserFactory(role=role), reason="Raison")

    assert MaturityAssessment.objects.get(candidate=mature).is_mature


def test_a_referral_already_sent_is_left_alone(mature, counsellor):
    referral = ReferralFactory(candidate=mature)

    candidate_withdraw_maturity(candidate=mature, by=counsellor, reason="Information nouvelle")

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING
    assert not MaturityAssessment.objects.get(candidate=mature).is_mature


# --- The form on the file page ------------------------------------------------------------------


def test_withdraw_through_the_form(client, mature, counsellor):
    client.force_login(counsellor)
    html = client.get(file_url(mature)).content.decode()
    assert f'action="{withdraw_url(mature)}"' in html

    response = client.post(withdraw_url(mature), {"reason": "Projet changé"}, follow=True)

    assert response.redirect_chain[-1][0] == file_url(mature) + "#maturite"
    html = response.content.decode()
    assert "Décision « projet mûr » retirée." in html
    assert f'action="{reverse("counselling:declare_mature", args=[mature.pk])}"' in html
    assert f'action="{withdraw_url(mature)}"' not in html
    assert not MaturityAssessment.objects.get(candidate=mature).is_mature


def test_the_form_needs_a_reason(client, mature, counsellor):
    client.force_login(counsellor)

    client.post(withdraw_url(mature), {"reason": ""})

    assert MaturityAssessment.objects.get(candidate=mature).is_mature


def test_anonymous_is_sent_to_sign_in(client, mature):
    response = client.post(withdraw_url(mature), {"reason": "Raison"})

    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert MaturityAssessment.objects.get(candidate=mature).is_mature


@pytest.mark.parametrize("who", ["candidate", "agent"])
def test_candidates_and_agents_are_refused(client, mature, who):
    client.force_login(mature.user if who == "candidate" else UserFactory(role="agent"))

    assert client.post(withdraw_url(mature), {"reason": "Raison"}).status_code == 403
    assert MaturityAssessment.objects.get(candidate=mature).is_mature


def test_a_coordinator_withdraws_the_decision(client, mature):
    client.force_login(CoordinatorFactory())

    assert client.post(withdraw_url(mature), {"reason": "Raison"}).status_code == 302
    assert not MaturityAssessment.objects.get(candidate=mature).is_mature


def test_post_only_with_csrf(mature, counsellor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(counsellor)

    assert client.get(withdraw_url(mature), {"reason": "Raison"}).status_code == 405
    assert client.post(withdraw_url(mature), {"reason": "Raison"}).status_code == 403
    assert MaturityAssessment.objects.get(candidate=mature).is_mature


# --- The file's history and the candidate's own pages -------------------------------------------


def test_the_history_shows_the_decisions_escaped_with_their_author(client, counsellor):
    counsellor.first_name, counsellor.last_name = "Léa", "Côté"
    counsellor.save()
    candidate = CandidateFactory(status=CandidateStatus.COACHING, counsellor=counsellor)
    candidate_declare_mature(candidate=candidate, by=counsellor, note=f"Mûr {HOSTILE}")
    candidate_withdraw_maturity(candidate=candidate, by=counsellor, reason="Ligne 1\nLigne 2")
    client.force_login(counsellor)

    html = client.get(file_url(candidate)).content.decode()

    history = html[html.index('id="historique"') :]
    assert "Projet déclaré mûr" in history and "Décision « projet mûr » retirée" in history
    assert "Mûr &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in history
    assert HOSTILE not in html
    assert "Ligne 1<br>Ligne 2" in history
    assert "· Léa Côté" in history


@pytest.mark.parametrize("kind", ["referral", "agent_referral", "follow_up"])
def test_other_kinds_are_shown_by_their_label_note_and_author(client, counsellor, kind):
    candidate = CandidateFactory()
    event = CandidateEvent.objects.create(candidate=candidate, kind=kind, actor=counsellor, note=f"Note {HOSTILE}")
    client.force_login(counsellor)

    html = client.get(file_url(candidate)).content.decode()

    history = html[html.index('id="historique"') :]
    assert str(event.get_kind_display()).replace("'", "&#x27;") in history
    assert "Note &lt;script&gt;" in history and HOSTILE not in html
    assert str(counsellor) in history


def test_the_candidate_never_sees_the_teams_events_or_their_notes(client, counsellor):
    candidate = CandidateFactory()
    candidate_take_on(candidate=candidate, by=counsellor)
    candidate_declare_mature(candidate=candidate, by=counsellor, note="Note de décision")
    candidate_withdraw_maturity(candidate=candidate, by=counsellor, reason="Raison du retrait")
    candidate_reassign(candidate=candidate, to=CounsellorFactory(last_name="Collègue"), by=counsellor)
    for kind in ("referral", "agent_referral", "follow_up"):
        CandidateEvent.objects.create(candidate=candidate, kind=kind, actor=counsellor, note=f"Interne {kind}")
    client.force_login(candidate.user)

    response = client.get(reverse("my_file:home"))

    assert [entry.label for entry in response.context["timeline"]] == [
        "Accompagnement par un·e conseiller·ère d'Emplois en régions"
    ]
    page = response.content.decode()
    for internal in ("Note de décision", "Raison du retrait", "Interne", "mûr", "Pris·e en charge", "→"):
        assert internal not in page
    with zipfile.ZipFile(io.BytesIO(client.get(reverse("my_file:export")).content)) as archive:
        export = json.loads(archive.read("mon-dossier.json"))
    assert "maturity_declared" not in {event["kind"] for event in export["events"]}
    assert "maturity_withdrawn" not in {event["kind"] for event in export["events"]}
    for internal in ("Note de décision", "Raison du retrait", "Interne", "Pris·e en charge"):
        assert internal not in json.dumps(export, ensure_ascii=False)
