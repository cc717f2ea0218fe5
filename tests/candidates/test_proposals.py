"""Territory proposals: a counsellor proposes a territory the person did not choose; the person
accepts or declines it; every rule refuses with its code and changes nothing."""

import pytest
from django.utils import translation

from candidates.choices import CandidateStatus, EventCode
from candidates.history import with_texts
from candidates.models import CandidateEvent, Consent, TerritoryProposal
from candidates.proposals import chosen_territory_ids
from candidates.services import (
    ProposalError,
    candidate_anonymize,
    candidate_set_consents,
    territory_proposal_accept,
    territory_proposal_decline,
    territory_proposal_withdraw,
    territory_propose,
)
from notifications.models import OutboxEmail
from referrals.services import ReferralError, referral_send
from tests.factories import AgentFactory, CandidateFactory, CounsellorFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate(territory):
    return CandidateFactory(
        first_name="Amina", last_name="Diallo", target_territory=territory, mature=True, status="coaching"
    )


@pytest.fixture
def other(db):
    """A territory the person did not choose, with an active agent."""
    other = TerritoryFactory(name="Rimouski-Neigette")
    AgentFactory(territories=[other])
    return other


def propose(candidate, territory, counsellor, message="Beaucoup de postes en santé."):
    return territory_propose(candidate=candidate, territory=territory, by=counsellor, message=message)


def test_a_proposal_waits_for_the_person_is_logged_and_emailed(candidate, other, counsellor):
    proposal = propose(candidate, other, counsellor)

    assert (proposal.status, proposal.proposed_by, proposal.message) == (
        "pending",
        counsellor,
        "Beaucoup de postes en santé.",
    )
    event = candidate.events.get(kind=CandidateEvent.Kind.TERRITORY_PROPOSAL)
    assert (event.code, event.params, event.actor) == (
        EventCode.TERRITORY_PROPOSED,
        {"territory": other.pk, "proposal": proposal.pk},
        counsellor,
    )
    email = OutboxEmail.objects.get(template="territory_proposed_candidate")
    assert email.recipient == candidate.email
    assert "Amina" in email.subject and "Diallo" not in email.subject
    assert "/mon-dossier/territoires-proposes/" in email.body
    assert "Beaucoup de postes" not in email.body  # the message is read signed in, not in transit
    # Not chosen yet: no referral there.
    assert other.pk not in chosen_territory_ids(candidate.pk)


def test_the_email_is_in_the_persons_language(territory, other, counsellor):
    candidate = CandidateFactory(first_name="Amina", target_territory=territory, language="en")

    propose(candidate, other, counsellor)

    email = OutboxEmail.objects.get(template="territory_proposed_candidate")
    assert email.subject == "Amina, your counsellor proposes a territory"
    assert "Rimouski-Neigette" in email.body


def test_accepting_makes_the_territory_chosen_and_a_referral_possible(candidate, territory, other, counsellor):
    proposal = propose(candidate, other, counsellor)
    with pytest.raises(ReferralError) as refused:
        referral_send(candidate=candidate, territories=[other], by=counsellor)
    assert refused.value.code == "territory_not_chosen"

    territory_proposal_accept(proposal=proposal, by=candidate.user)

    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.answered_at is not None
    assert list(candidate.targets.values_list("territory_id", "rank")) == [(territory.pk, 1), (other.pk, 2)]
    assert candidate.events.filter(code=EventCode.PROPOSAL_ACCEPTED, actor=candidate.user).exists()
    referral = referral_send(candidate=candidate, territories=[other], by=counsellor)
    assert referral.territory == other


def test_accepting_with_three_targets_already_still_makes_it_chosen(candidate, other, counsellor):
    second, third = TerritoryFactory(), TerritoryFactory()
    candidate.targets.create(territory=second, rank=2)
    candidate.targets.create(territory=third, rank=3)
    proposal = propose(candidate, other, counsellor)

    territory_proposal_accept(proposal=proposal, by=candidate.user)

    assert candidate.targets.count() == 3
    assert other.pk in chosen_territory_ids(candidate.pk)
    assert referral_send(candidate=candidate, territories=[other], by=counsellor).territory == other


def test_accepting_ends_a_dont_know_yet(other, counsellor):
    candidate = CandidateFactory(target_territory=False, targets_undecided=True)
    proposal = propose(candidate, other, counsellor)

    territory_proposal_accept(proposal=proposal, by=candidate.user)

    candidate.refresh_from_db()
    assert candidate.targets_undecided is False
    assert list(candidate.targets.values_list("territory_id", "rank")) == [(other.pk, 1)]


def test_a_declined_or_withdrawn_proposal_never_opens_a_referral(candidate, other, counsellor):
    declined = propose(candidate, other, counsellor)
    territory_proposal_decline(proposal=declined, by=candidate.user)
    withdrawn = propose(candidate, other, counsellor)  # proposed again after the no
    territory_proposal_withdraw(proposal=withdrawn, by=counsellor)

    assert sorted(TerritoryProposal.objects.values_list("status", flat=True)) == ["declined", "withdrawn"]
    assert other.pk not in chosen_territory_ids(candidate.pk)
    with pytest.raises(ReferralError) as refused:
        referral_send(candidate=candidate, territories=[other], by=counsellor)
    assert refused.value.code == "territory_not_chosen"
    codes = list(candidate.events.filter(kind="territory_proposal").values_list("code", flat=True))
    assert codes == ["territory_proposed", "proposal_declined", "territory_proposed", "proposal_withdrawn"]


def refused(code, **kwargs):
    with pytest.raises(ProposalError) as error:
        territory_propose(**kwargs)
    assert error.value.code == code, str(error.value)
    return str(error.value)


def test_each_rule_refuses_with_its_code_and_changes_nothing(candidate, territory, other, counsellor):
    lone = TerritoryFactory(name="Sans agent")
    AgentFactory(territories=[lone], is_active=False)
    no_account = CandidateFactory(user=None, target_territory=territory)
    no_consent = CandidateFactory(target_territory=territory, consents=False)
    closed = CandidateFactory(target_territory=territory, status=CandidateStatus.CLOSED)
    propose(candidate, other, counsellor)
    before = (TerritoryProposal.objects.count(), OutboxEmail.objects.count(), CandidateEvent.objects.count())

    assert "aucun·e agent·e actif·ve" in refused("no_active_agent", candidate=candidate, territory=lone, by=counsellor)
    assert "pas de compte" in refused("no_account", candidate=no_account, territory=other, by=counsellor)
    refused("no_sharing_consent", candidate=no_consent, territory=other, by=counsellor)
    refused("file_closed", candidate=closed, territory=other, by=counsellor)
    refused("already_chosen", candidate=candidate, territory=territory, by=counsellor)
    refused("already_pending", candidate=candidate, territory=other, by=counsellor)
    refused("not_counsellor", candidate=candidate, territory=other, by=candidate.user)

    after = (TerritoryProposal.objects.count(), OutboxEmail.objects.count(), CandidateEvent.objects.count())
    assert after == before


def test_an_anonymized_file_gets_no_proposal_and_its_pending_one_is_withdrawn(candidate, other, counsellor):
    proposal = propose(candidate, other, counsellor)
    candidate_anonymize(candidate=candidate, by=None, reason="officer")

    fresh = TerritoryFactory()
    AgentFactory(territories=[fresh])
    refused("file_closed", candidate=candidate, territory=fresh, by=counsellor)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.message) == ("withdrawn", "")


def test_after_sharing_is_withdrawn_no_proposal(candidate, other, counsellor):
    candidate_set_consents(candidate=candidate, choices={Consent.Purpose.SHARING: False}, method="my_file")

    refused("no_sharing_consent", candidate=candidate, territory=other, by=counsellor)


def test_only_the_person_answers_and_only_once(candidate, other, counsellor):
    proposal = propose(candidate, other, counsellor)
    stranger = CandidateFactory().user

    for who in (stranger, counsellor):
        with pytest.raises(ProposalError) as error:
            territory_proposal_accept(proposal=proposal, by=who)
        assert error.value.code == "not_yours"
    with pytest.raises(ProposalError) as error:
        territory_proposal_withdraw(proposal=proposal, by=candidate.user)
    assert error.value.code == "not_counsellor"

    territory_proposal_decline(proposal=proposal, by=candidate.user)
    for answer in (territory_proposal_accept, territory_proposal_decline):
        with pytest.raises(ProposalError) as error:
            answer(proposal=proposal, by=candidate.user)
        assert error.value.code == "not_pending"
    with pytest.raises(ProposalError) as error:
        territory_proposal_withdraw(proposal=proposal, by=CounsellorFactory())
    assert error.value.code == "not_pending"
    proposal.refresh_from_db()
    assert proposal.status == "declined"
    assert not candidate.targets.filter(territory=other).exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", ("Territoire proposé à la personne", "Rimouski-Neigette, proposé à la personne")),
        ("en", ("Territory proposed to the person", "Rimouski-Neigette, proposed to the person")),
    ],
)
def test_the_history_is_told_in_the_readers_language(candidate, other, counsellor, language, expected):
    propose(candidate, other, counsellor)

    with translation.override(language):
        (event,) = with_texts(candidate.events.filter(kind="territory_proposal"))
        label = str(EventCode(event.code).label)

    assert (label, event.text) == expected


def test_taking_an_accepted_territory_off_the_list_unchooses_it(candidate, territory, other, counsellor):
    from candidates.services import candidate_set_targets

    proposal = propose(candidate, other, counsellor)
    territory_proposal_accept(proposal=proposal, by=candidate.user)
    candidate_set_targets(candidate=candidate, territories=[territory, other])  # reordered: still chosen
    assert other.pk in chosen_territory_ids(candidate.pk)

    candidate_set_targets(candidate=candidate, territories=[territory])

    proposal.refresh_from_db()
    assert proposal.status == "declined"
    assert chosen_territory_ids(candidate.pk) == {territory.pk}
    assert candidate.events.filter(code=EventCode.PROPOSAL_DECLINED, actor=candidate.user).exists()
    with pytest.raises(ReferralError) as refused:
        referral_send(candidate=candidate, territories=[other], by=counsellor)
    assert refused.value.code == "territory_not_chosen"
