"""The counsellor's side of territory proposals: the referral form offers only the territories the
person chose and says why; the counsellor proposes another one, sees the answers, withdraws."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from candidates.models import TerritoryProposal
from candidates.services import territory_proposal_accept, territory_propose
from referrals.models import Referral
from tests.factories import AgentFactory, CandidateFactory, TerritoryFactory
from tests.pages import file_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate(territory, counsellor):
    return CandidateFactory(target_territory=territory, mature=True, status="coaching", counsellor=counsellor)


@pytest.fixture
def other(db):
    other = TerritoryFactory(name="Rimouski-Neigette")
    AgentFactory(territories=[other])
    return other


def choices(field) -> set[int]:
    return {pk for _group, options in field.choices if isinstance(options, list) for pk, _name in options}


def test_the_referral_form_offers_only_the_chosen_territories_and_says_why(
    client, counsellor, candidate, territory, other
):
    client.force_login(counsellor)

    response = client.get(file_url(candidate))

    form = response.context["form"]
    assert choices(form.fields["territory_1"]) == {territory.pk}
    assert choices(form.fields["territory_2"]) == {territory.pk}
    html = response.content.decode()
    assert "Seuls les territoires que la personne a choisis" in html
    assert 'href="#proposer"' in html and 'id="proposer"' in html
    # The proposal form offers the others with an active agent, not the chosen one.
    offered = choices(response.context["propose_form"].fields["territory"])
    assert other.pk in offered and territory.pk not in offered


def test_a_territory_without_an_active_agent_is_not_offered(client, counsellor, candidate):
    lone = TerritoryFactory()
    AgentFactory(territories=[lone], is_active=False)
    client.force_login(counsellor)

    response = client.get(file_url(candidate))

    assert lone.pk not in choices(response.context["propose_form"].fields["territory"])


def test_posting_an_unchosen_territory_is_refused_with_a_clear_message(client, counsellor, candidate, other):
    client.force_login(counsellor)

    response = client.post(reverse("counselling:referral_send", args=[candidate.pk]), {"territory_1": other.pk})

    assert not Referral.objects.exists()
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "n'a pas choisi le territoire Rimouski-Neigette" in message and "proposez-le-lui" in message


def test_the_counsellor_proposes_then_refers_once_the_person_accepts(client, counsellor, candidate, other):
    client.force_login(counsellor)

    response = client.post(
        reverse("counselling:proposal_send", args=[candidate.pk]),
        {"proposition-territory": other.pk, "proposition-message": "Beaucoup de postes en santé."},
    )

    assert response.status_code == 302 and response.url.endswith("#proposer")
    proposal = TerritoryProposal.objects.get()
    assert (proposal.territory, proposal.status, proposal.proposed_by) == (other, "pending", counsellor)
    page = client.get(file_url(candidate))
    html = page.content.decode()
    assert "Rimouski-Neigette" in html and "Beaucoup de postes en santé." in html
    assert other.pk not in choices(page.context["form"].fields["territory_1"])

    territory_proposal_accept(proposal=proposal, by=candidate.user)
    page = client.get(file_url(candidate))
    assert other.pk in choices(page.context["form"].fields["territory_1"])
    assert "Acceptée" in page.content.decode()
    client.post(reverse("counselling:referral_send", args=[candidate.pk]), {"territory_1": other.pk})
    assert Referral.objects.get().territory == other


def test_a_file_without_an_account_says_it_cannot_receive_a_proposal(client, counsellor, territory, other):
    candidate = CandidateFactory(user=None, target_territory=territory, status="coaching")
    client.force_login(counsellor)

    html = client.get(file_url(candidate)).content.decode()
    assert 'id="proposition-sans-compte"' in html and 'id="form-proposer"' not in html
    response = client.post(
        reverse("counselling:proposal_send", args=[candidate.pk]), {"proposition-territory": other.pk}
    )

    assert not TerritoryProposal.objects.exists()
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "n'a pas de compte" in message


def test_the_counsellor_withdraws_a_pending_proposal(client, counsellor, candidate, other):
    proposal = territory_propose(candidate=candidate, territory=other, by=counsellor)
    client.force_login(counsellor)

    assert client.get(reverse("counselling:proposal_withdraw", args=[proposal.pk])).status_code == 405
    client.post(reverse("counselling:proposal_withdraw", args=[proposal.pk]))

    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"


def test_candidates_cannot_propose_or_withdraw_and_posts_need_csrf(counsellor, candidate, other):
    proposal = territory_propose(candidate=candidate, territory=other, by=counsellor)
    person = Client()
    person.force_login(candidate.user)

    assert person.post(reverse("counselling:proposal_withdraw", args=[proposal.pk])).status_code in (302, 403)
    assert person.post(
        reverse("counselling:proposal_send", args=[candidate.pk]), {"territory": other.pk}
    ).status_code in (302, 403)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(counsellor)
    assert strict.post(reverse("counselling:proposal_withdraw", args=[proposal.pk])).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "pending" and TerritoryProposal.objects.count() == 1


def test_without_an_account_or_a_choice_the_page_says_no_referral_is_possible(client, counsellor):
    candidate = CandidateFactory(user=None, target_territory=False, status="coaching")
    client.force_login(counsellor)

    html = client.get(file_url(candidate)).content.decode()

    assert "aucune orientation n'est possible pour l'instant" in html.replace("&#x27;", "'")
    assert 'href="#proposer"' not in html and "proposez-lui-en un" not in html
