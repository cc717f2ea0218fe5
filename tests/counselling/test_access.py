import pytest
from django.urls import reverse

from tests.factories import (
    AgentFactory,
    CandidateFactory,
    CoordinatorFactory,
    CounsellorFactory,
    ReferralFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.pages import file_url

pytestmark = pytest.mark.django_db

QUEUE = reverse("counselling:queue")


@pytest.mark.parametrize("page", ["queue", "file"])
def test_anonymous_visitor_is_sent_to_sign_in(client, page):
    candidate = CandidateFactory()
    url = QUEUE if page == "queue" else file_url(candidate)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("page", ["queue", "file"])
def test_candidate_and_agent_accounts_are_refused(client, page):
    candidate = CandidateFactory()
    agent_user = UserFactory(role="agent")
    url = QUEUE if page == "queue" else file_url(candidate)

    for user in (candidate.user, agent_user):
        client.force_login(user)
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("factory", [CounsellorFactory, CoordinatorFactory])
def test_counsellors_and_coordinators_see_the_queue_and_files(client, factory):
    candidate = CandidateFactory(first_name="Amina", last_name="Diallo")
    client.force_login(factory())

    assert "Amina Diallo" in client.get(QUEUE).content.decode()
    assert client.get(file_url(candidate)).status_code == 200


def test_deactivated_counsellor_is_refused(client):
    counsellor = CounsellorFactory()
    client.force_login(counsellor)
    counsellor.is_active = False
    counsellor.save()

    assert client.get(QUEUE).status_code in (302, 403)


def test_file_page_unknown_id_is_404(client, counsellor):
    client.force_login(counsellor)

    assert client.get(reverse("counselling:file", args=[999999])).status_code == 404


@pytest.mark.parametrize("rows", [1, 50])
def test_file_query_count_does_not_grow_with_history(client, counsellor, django_assert_num_queries, rows):
    territory = TerritoryFactory()
    AgentFactory(territories=[territory])
    candidate = CandidateFactory(target_territory=territory)
    for _ in range(rows):
        ReferralFactory(candidate=candidate, status="declined")
    client.force_login(counsellor)

    # session, user, candidate (with its maturity assessment), targets, consents, events, coaching
    # notes, referrals and their follow-ups, the access log's INSERT and its last 20 rows, the
    # target territories' agents, the territory proposals; then, the first time in the process
    # (territories.selectors), the territories of the two forms' selects and the active programs
    # (none here: their regions and territories are not read)
    with django_assert_num_queries(15):
        response = client.get(file_url(candidate))
    assert response.status_code == 200
    with django_assert_num_queries(13):
        response = client.get(file_url(candidate))
    assert response.status_code == 200


def test_my_file_shows_the_answer_and_the_agents_contact(client):
    referral = ReferralFactory(status="accepted")
    agent = AgentFactory(first_name="Julie", last_name="Pelletier", email="julie@paj.example.org")
    referral.answered_by = agent
    referral.answered_at = referral.created_at
    referral.save()
    client.force_login(referral.candidate.user)

    html = client.get(reverse("my_file:home")).content.decode()

    assert "Acceptée" in html
    assert "Julie Pelletier" in html
    assert "julie@paj.example.org" in html


def test_my_file_never_shows_the_decline_reason_nor_the_counsellors_message(client):
    referral = ReferralFactory(status="declined", decline_reason="Raison interne", message="Note interne")
    client.force_login(referral.candidate.user)

    html = client.get(reverse("my_file:home")).content.decode()

    assert "Raison interne" not in html
    assert "Note interne" not in html
    assert "reprend votre dossier" in html


def test_my_file_for_an_account_without_file_is_a_clear_404(client, counsellor):
    client.force_login(counsellor)

    response = client.get(reverse("my_file:home"))

    assert response.status_code == 404
    assert "Aucun dossier" in response.content.decode()


def test_my_file_requires_sign_in(client):
    assert client.get(reverse("my_file:home")).status_code == 302


@pytest.mark.parametrize("rows", [1, 50])
def test_my_file_query_count_does_not_grow_with_referrals(client, django_assert_num_queries, rows):
    candidate = CandidateFactory()
    for _ in range(rows):
        ReferralFactory(candidate=candidate, status="declined")
    client.force_login(candidate.user)

    # session, user, candidate (with counsellor), targets, then the timeline: events, referrals,
    # their transitions; who read the file; the territory proposals waiting for an answer; the
    # person's activity registrations and the activities of their territories; the programs they
    # may be eligible for
    with django_assert_num_queries(12):
        assert client.get(reverse("my_file:home")).status_code == 200


def test_files_outside_18_35_are_flagged_in_the_queue_and_the_file(client, counsellor):
    from candidates.models import years_ago

    older = CandidateFactory(first_name="Aînée", date_of_birth=years_ago(40))
    CandidateFactory(first_name="Jeune", date_of_birth=years_ago(25))
    client.force_login(counsellor)

    queue = client.get(QUEUE).content.decode()

    assert queue.count('<span class="badge text-bg-warning">hors 18–35</span>') == 1
    assert "hors 18–35" in client.get(file_url(older)).content.decode()
