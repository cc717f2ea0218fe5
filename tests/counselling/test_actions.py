import pytest
from django.test import Client
from django.urls import reverse

from candidates.models import CandidateEvent, CandidateStatus
from candidates.services import CandidateError
from counselling.services import file_close, file_put_on_hold
from tests.factories import CandidateFactory, ReferralFactory, UserFactory
from tests.history import text_of

pytestmark = pytest.mark.django_db

QUEUE = reverse("counselling:queue")


def hold_url(candidate):
    return reverse("counselling:queue_put_on_hold", args=[candidate.pk])


def close_url(candidate):
    return reverse("counselling:queue_close", args=[candidate.pk])


def status_url(candidate):
    return reverse("counselling:queue_status", args=[candidate.pk])


@pytest.fixture
def signed_in(client, counsellor):
    client.force_login(counsellor)
    return client


def last_event(candidate) -> CandidateEvent:
    return candidate.events.filter(kind=CandidateEvent.Kind.STATUS_CHANGED).latest("created_at", "id")


# --- Services -------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["new", "coaching", "referred", "taken_on"])
def test_put_on_hold_is_logged_with_its_reason(counsellor, status):
    candidate = CandidateFactory(status=status)

    file_put_on_hold(candidate=candidate, by=counsellor, reason="Pause demandée jusqu'en mars")

    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.ON_HOLD
    event = last_event(candidate)
    assert (event.from_status, event.to_status) == (status, "on_hold")
    assert event.actor == counsellor
    assert text_of(event) == "Pause demandée jusqu'en mars"


@pytest.mark.parametrize("status", ["draft", "on_hold", "closed", "moved", "settled"])
def test_put_on_hold_refused_from_other_statuses(counsellor, status):
    candidate = CandidateFactory(status=status)

    with pytest.raises(CandidateError):
        file_put_on_hold(candidate=candidate, by=counsellor, reason="")

    candidate.refresh_from_db()
    assert candidate.status == status


@pytest.mark.parametrize("status", ["new", "coaching", "referred", "taken_on", "moved", "settled", "on_hold"])
def test_close_is_logged_with_its_reason(counsellor, status):
    candidate = CandidateFactory(status=status)

    file_close(candidate=candidate, by=counsellor, reason="unreachable")

    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.CLOSED
    assert text_of(last_event(candidate)) == "Personne injoignable"


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_close_refused_for_drafts_and_closed_files(counsellor, status):
    candidate = CandidateFactory(status=status)

    with pytest.raises(CandidateError):
        file_close(candidate=candidate, by=counsellor, reason="duplicate")


def test_close_needs_a_reason(counsellor):
    candidate = CandidateFactory()

    with pytest.raises(CandidateError, match="pourquoi"):
        file_close(candidate=candidate, by=counsellor, reason="   ")

    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.NEW


@pytest.mark.parametrize("action", [file_put_on_hold, file_close])
def test_a_pending_referral_must_be_withdrawn_first(counsellor, action):
    candidate = CandidateFactory(status="referred")
    ReferralFactory(candidate=candidate)

    with pytest.raises(CandidateError, match="retirez-la"):
        action(candidate=candidate, by=counsellor, reason="unreachable")

    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.REFERRED
    assert not candidate.events.filter(kind=CandidateEvent.Kind.STATUS_CHANGED).exists()


def test_an_answered_referral_does_not_block(counsellor):
    candidate = CandidateFactory(status="referred")
    ReferralFactory(candidate=candidate, status="declined")

    file_close(candidate=candidate, by=counsellor, reason="abandoned")

    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.CLOSED


@pytest.mark.parametrize("action", [file_put_on_hold, file_close])
def test_only_counsellors_change_a_file(action):
    candidate = CandidateFactory()

    with pytest.raises(CandidateError):
        action(candidate=candidate, by=UserFactory(role="agent"), reason="unreachable")


# --- Views ----------------------------------------------------------------------------------------


def test_the_queue_links_each_row_to_the_status_page(signed_in):
    candidate = CandidateFactory()

    content = signed_in.get(QUEUE).content.decode()

    assert status_url(candidate) in content


def test_status_page_shows_both_forms(signed_in):
    candidate = CandidateFactory()

    response = signed_in.get(status_url(candidate), {"next": f"{QUEUE}?vue=tous"})

    assert response.status_code == 200
    content = response.content.decode()
    assert hold_url(candidate) in content
    assert close_url(candidate) in content
    assert 'value="/conseil/?vue=tous"' in content


def test_put_on_hold_from_the_queue(signed_in, counsellor):
    candidate = CandidateFactory()

    response = signed_in.post(hold_url(candidate), {"reason": "Déménagement", "next": f"{QUEUE}?vue=tous"})

    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?vue=tous"
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.ON_HOLD
    assert text_of(last_event(candidate)) == "Déménagement"


def test_close_from_the_list_of_reasons_with_details(signed_in):
    candidate = CandidateFactory()

    response = signed_in.post(close_url(candidate), {"reason": "unreachable", "details": "3 appels"})

    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.CLOSED
    assert text_of(last_event(candidate)) == "Personne injoignable : 3 appels"


@pytest.mark.parametrize(
    "data",
    [{}, {"reason": "nonsense"}, {"reason": "other"}, {"reason": "other", "details": "  "}],
)
def test_close_without_a_valid_reason_shows_the_form_again(signed_in, data):
    candidate = CandidateFactory()

    response = signed_in.post(close_url(candidate), data)

    assert response.status_code == 400
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.NEW


def test_other_reason_with_details(signed_in):
    candidate = CandidateFactory()

    signed_in.post(close_url(candidate), {"reason": "other", "details": "Décès"})

    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.CLOSED
    assert text_of(last_event(candidate)) == "Autre raison : Décès"


def test_refusal_is_shown_as_a_message(signed_in):
    candidate = CandidateFactory(status="referred")
    ReferralFactory(candidate=candidate)

    response = signed_in.post(close_url(candidate), {"reason": "abandoned"}, follow=True)

    assert "retirez-la" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.REFERRED


def test_next_must_stay_on_site(signed_in):
    candidate = CandidateFactory()

    response = signed_in.post(hold_url(candidate), {"next": "https://evil.example/"})

    assert response["Location"] == QUEUE


def test_actions_are_post_only_and_need_csrf(counsellor):
    candidate = CandidateFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(counsellor)

    assert client.get(hold_url(candidate)).status_code == 405
    assert client.get(close_url(candidate)).status_code == 405
    assert client.post(hold_url(candidate)).status_code == 403
    assert client.post(close_url(candidate), {"reason": "abandoned"}).status_code == 403
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.NEW


@pytest.mark.parametrize("role", ["candidate", "agent"])
def test_only_counsellors_reach_the_actions(client, role):
    candidate = CandidateFactory()
    client.force_login(UserFactory(role=role))

    assert client.get(status_url(candidate)).status_code == 403
    assert client.post(hold_url(candidate)).status_code == 403
    assert client.post(close_url(candidate), {"reason": "abandoned"}).status_code == 403
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.NEW


def test_anonymous_is_sent_to_sign_in(client):
    candidate = CandidateFactory()

    for response in (client.get(status_url(candidate)), client.post(hold_url(candidate))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_unknown_file_is_404(signed_in):
    assert signed_in.post(reverse("counselling:queue_close", args=[999999]), {"reason": "abandoned"}).status_code == 404
