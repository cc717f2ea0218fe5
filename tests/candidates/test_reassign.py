"""Handing a file already taken on to a colleague (candidate_reassign), and the ASSIGNED events
that taking on and assigning from the queue record."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidates.models import CandidateEvent, CandidateStatus
from candidates.services import CandidateError, candidate_reassign, candidate_take_on, candidates_assign
from tests.factories import CandidateFactory, CoordinatorFactory, CounsellorFactory, UserFactory
from tests.history import text_of
from tests.pages import file_url

pytestmark = pytest.mark.django_db


def reassign_url(candidate) -> str:
    return reverse("counselling:reassign", args=[candidate.pk])


@pytest.fixture
def colleague():
    return CounsellorFactory(first_name="Inès", last_name="Roy")


@pytest.fixture
def coached(counsellor):
    return CandidateFactory(status=CandidateStatus.COACHING, counsellor=counsellor)


# --- The service ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["coaching", "referred", "taken_on", "moved", "settled", "on_hold"])
def test_a_file_taken_on_is_handed_to_a_colleague_and_logged(counsellor, colleague, status):
    counsellor.first_name, counsellor.last_name = "Léa", "Côté"
    counsellor.save()
    candidate = CandidateFactory(status=status, counsellor=counsellor)

    candidate_reassign(candidate=candidate, to=colleague, by=counsellor)

    candidate.refresh_from_db()
    assert (candidate.counsellor, candidate.status) == (colleague, status)
    event = candidate.events.get()
    assert (event.kind, event.actor, event.from_status, event.to_status) == ("assigned", counsellor, "", "")
    assert text_of(event) == "Léa Côté → Inès Roy"


def test_a_coordinator_hands_a_file_over(coached, colleague):
    coordinator = CoordinatorFactory()

    candidate_reassign(candidate=coached, to=colleague, by=coordinator)

    coached.refresh_from_db()
    assert coached.counsellor == colleague
    assert coached.events.get().actor == coordinator


def test_a_file_without_a_counsellor_names_nobody_before(counsellor, colleague):
    candidate = CandidateFactory(status=CandidateStatus.ON_HOLD)

    candidate_reassign(candidate=candidate, to=colleague, by=counsellor)

    assert text_of(candidate.events.get()) == "— → Inès Roy"


@pytest.mark.parametrize(
    "target",
    [
        lambda: UserFactory(role="agent"),
        lambda: UserFactory(role="candidate"),
        CoordinatorFactory,
        lambda: CounsellorFactory(is_active=False),
    ],
    ids=["agent", "candidate", "coordinator", "inactive"],
)
def test_the_colleague_must_be_an_active_counsellor(coached, counsellor, target):
    with pytest.raises(CandidateError, match="conseiller·ère EER"):
        candidate_reassign(candidate=coached, to=target(), by=counsellor)

    coached.refresh_from_db()
    assert coached.counsellor == counsellor
    assert not coached.events.exists()


@pytest.mark.parametrize("role", ["agent", "candidate"])
def test_only_counsellors_and_coordinators_hand_files_over(coached, colleague, role):
    with pytest.raises(CandidateError):
        candidate_reassign(candidate=coached, to=colleague, by=UserFactory(role=role))

    assert not coached.events.exists()


@pytest.mark.parametrize(
    ("status", "message"),
    [("closed", "ne peut pas être confié"), ("draft", "ne peut pas être confié"), ("new", "À trier")],
)
def test_closed_drafts_and_files_waiting_for_triage_are_refused(counsellor, colleague, status, message):
    candidate = CandidateFactory(status=status, counsellor=counsellor if status == "closed" else None)

    with pytest.raises(CandidateError, match=message):
        candidate_reassign(candidate=candidate, to=colleague, by=counsellor)

    assert not candidate.events.exists()


def test_the_same_counsellor_is_refused(coached, counsellor):
    with pytest.raises(CandidateError, match="accompagne déjà"):
        candidate_reassign(candidate=coached, to=counsellor, by=counsellor)


# --- Taking on and assigning from the queue: one ASSIGNED event each ------------------------------


def test_taking_on_records_one_assigned_event_with_the_change_of_status(counsellor):
    counsellor.first_name, counsellor.last_name = "Léa", "Côté"
    counsellor.save()
    candidate = CandidateFactory()

    candidate_take_on(candidate=candidate, by=counsellor)

    event = candidate.events.get()
    assert (event.kind, event.from_status, event.to_status) == ("assigned", "new", "coaching")
    assert (event.actor, text_of(event)) == (counsellor, "Pris·e en charge par Léa Côté")


def test_assigning_records_one_assigned_event_per_file(counsellor, colleague):
    files = CandidateFactory.create_batch(2)

    candidates_assign(candidates=files, counsellor=colleague, by=counsellor)

    events = CandidateEvent.objects.order_by("candidate")
    assert [(e.candidate_id, e.kind, e.to_status) for e in events] == [(c.pk, "assigned", "coaching") for c in files]
    assert {(e.actor, text_of(e)) for e in events} == {(counsellor, "Assigné·e à Inès Roy")}


# --- The form on the file page ------------------------------------------------------------------


def test_the_file_page_offers_the_colleagues(client, coached, counsellor, colleague):
    CoordinatorFactory(first_name="Claire", last_name="Lavoie")
    client.force_login(counsellor)

    response = client.get(file_url(coached))

    form = response.context["reassign_form"]
    choices = [label for value, label in form.fields["counsellor"].choices if value]
    assert choices == ["Inès Roy"]  # neither the file's own counsellor nor a coordinator
    assert f'action="{reassign_url(coached)}"' in response.content.decode()


def test_no_form_for_a_file_waiting_for_triage(client, counsellor):
    candidate = CandidateFactory()
    client.force_login(counsellor)

    response = client.get(file_url(candidate))

    assert response.context["reassign_form"] is None
    assert reassign_url(candidate) not in response.content.decode()


def test_reassign_through_the_form(client, coached, counsellor, colleague):
    client.force_login(counsellor)

    response = client.post(reassign_url(coached), {"counsellor": colleague.pk}, follow=True)

    assert response.redirect_chain[-1][0] == file_url(coached)
    assert "est confié à Inès Roy" in response.content.decode()
    coached.refresh_from_db()
    assert coached.counsellor == colleague
    assert "Conseiller·ère attitré·e" in response.content.decode()  # the timeline


def test_the_form_refuses_someone_who_is_not_a_counsellor(client, coached, counsellor):
    client.force_login(counsellor)

    response = client.post(reassign_url(coached), {"counsellor": UserFactory(role="agent").pk}, follow=True)

    assert "choix valide" in response.content.decode()
    coached.refresh_from_db()
    assert coached.counsellor == counsellor


def test_the_form_shows_the_service_refusal(client, counsellor, colleague):
    closed = CandidateFactory(status=CandidateStatus.CLOSED, counsellor=counsellor)
    client.force_login(counsellor)

    response = client.post(reassign_url(closed), {"counsellor": colleague.pk}, follow=True)

    assert "ne peut pas être confié" in response.content.decode()
    closed.refresh_from_db()
    assert closed.counsellor == counsellor


def test_anonymous_is_sent_to_sign_in(client, coached, colleague):
    response = client.post(reassign_url(coached), {"counsellor": colleague.pk})

    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    coached.refresh_from_db()
    assert coached.counsellor != colleague


@pytest.mark.parametrize("who", ["candidate", "agent"])
def test_candidates_and_agents_are_refused(client, coached, colleague, who):
    client.force_login(coached.user if who == "candidate" else UserFactory(role="agent"))

    assert client.post(reassign_url(coached), {"counsellor": colleague.pk}).status_code == 403
    coached.refresh_from_db()
    assert coached.counsellor != colleague


def test_post_only_with_csrf(coached, counsellor, colleague):
    client = Client(enforce_csrf_checks=True)
    client.force_login(counsellor)

    assert client.get(reassign_url(coached), {"counsellor": colleague.pk}).status_code == 405
    assert client.post(reassign_url(coached), {"counsellor": colleague.pk}).status_code == 403
    coached.refresh_from_db()
    assert coached.counsellor == counsellor


def test_waiting_time_counts_from_the_take_on_not_from_a_later_handover(client, counsellor, colleague):
    candidate = CandidateFactory(submitted_at=timezone.now() - datetime.timedelta(days=30))
    candidate_take_on(candidate=candidate, by=counsellor)
    taken_on_at = candidate.events.get().created_at
    CandidateEvent.objects.filter(candidate=candidate).update(created_at=taken_on_at - datetime.timedelta(days=10))
    candidate_reassign(candidate=candidate, to=colleague, by=counsellor)
    client.force_login(colleague)

    row = client.get(reverse("counselling:queue"), {"vue": "mes-candidats"}).context["page"][0]

    assert row.waiting_since == taken_on_at - datetime.timedelta(days=10)
