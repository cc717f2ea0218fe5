"""The person's side of territory proposals: a signed-in page lists what waits for their answer
(territory, region, the counsellor's message); they accept or decline by POST."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from candidates.models import TerritoryProposal
from candidates.services import territory_propose
from tests.factories import AgentFactory, CandidateFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("my_file:proposals")


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def proposal(territory, counsellor):
    candidate = CandidateFactory(target_territory=territory, status="coaching", counsellor=counsellor)
    other = TerritoryFactory(name="Rimouski-Neigette")
    AgentFactory(territories=[other])
    return territory_propose(candidate=candidate, territory=other, by=counsellor, message="Beaucoup de postes.")


def answer(client, proposal, value):
    return client.post(reverse("my_file:proposal_answer", args=[proposal.pk]), {"answer": value})


def test_the_page_needs_a_sign_in(client, proposal):
    response = client.get(PAGE)

    assert response.status_code == 302 and reverse("account_login") in response.url


def test_the_page_lists_the_territory_its_region_and_the_message_and_changes_nothing(client, proposal):
    client.force_login(proposal.candidate.user)

    response = client.get(PAGE)

    assert response.status_code == 200
    page = text(response)
    assert "Rimouski-Neigette" in page
    assert proposal.territory.region.name in page
    assert "Beaucoup de postes." in page
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert 'value="accept"' in body and 'value="decline"' in body and "csrfmiddlewaretoken" in body
    proposal.refresh_from_db()
    assert proposal.status == "pending"
    # Mon dossier points to it.
    home = client.get(reverse("my_file:home")).content.decode()
    assert 'id="propositions"' in home and PAGE in home


def test_accepting_adds_the_territory_to_the_persons_choices(client, proposal):
    client.force_login(proposal.candidate.user)

    response = answer(client, proposal, "accept")

    assert response.status_code == 302 and response.url == PAGE
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    assert proposal.candidate.targets.filter(territory=proposal.territory, rank=2).exists()
    page = text(client.get(PAGE))
    assert "Aucune proposition n'attend votre réponse." in page and "acceptée" in page


def test_declining_changes_no_choice(client, proposal):
    client.force_login(proposal.candidate.user)

    answer(client, proposal, "decline")

    proposal.refresh_from_db()
    assert proposal.status == "declined"
    assert not proposal.candidate.targets.filter(territory=proposal.territory).exists()


def test_get_and_unknown_answers_change_nothing(client, proposal):
    client.force_login(proposal.candidate.user)

    assert client.get(reverse("my_file:proposal_answer", args=[proposal.pk])).status_code == 405
    answer(client, proposal, "peut-être")

    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_someone_elses_proposal_is_not_found(client, proposal):
    client.force_login(CandidateFactory().user)

    assert answer(client, proposal, "accept").status_code == 404
    assert "Rimouski-Neigette" not in text(client.get(PAGE))
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_an_answer_needs_a_csrf_token(proposal):
    client = Client(enforce_csrf_checks=True)
    client.force_login(proposal.candidate.user)

    assert answer(client, proposal, "accept").status_code == 403
    assert TerritoryProposal.objects.get().status == "pending"


def test_a_second_answer_is_refused_with_a_message(client, proposal):
    client.force_login(proposal.candidate.user)
    answer(client, proposal, "decline")

    page = text(client.get(answer(client, proposal, "accept").url))

    assert "n'attend plus de réponse" in page
    assert TerritoryProposal.objects.get().status == "declined"


@pytest.mark.parametrize("rows", [1, 30])
def test_the_page_query_count_does_not_grow_with_proposals(client, counsellor, django_assert_num_queries, rows):
    candidate = CandidateFactory(status="coaching")
    for index in range(rows):
        territory = TerritoryFactory()
        TerritoryProposal.objects.create(
            candidate=candidate, territory=territory, proposed_by=counsellor, status=("pending", "declined")[index % 2]
        )
    client.force_login(candidate.user)

    # session, user, candidate (with counsellor and targets), the proposals with their territories,
    # regions and counsellors
    with django_assert_num_queries(5):
        assert client.get(PAGE).status_code == 200


def test_the_export_holds_the_proposals_and_their_answers(proposal):
    from my_file.exports import candidate_export_data

    data = candidate_export_data(proposal.candidate)

    assert data["territory_proposals"] == [
        {
            "territory": "Rimouski-Neigette",
            "territory_code": proposal.territory.code,
            "region": proposal.territory.region.name,
            "message": "Beaucoup de postes.",
            "status": "pending",
            "status_label": "En attente de réponse",
            "created_at": proposal.created_at.isoformat(),
            "answered_at": None,
        }
    ]
