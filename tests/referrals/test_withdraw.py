import pytest

from candidates.models import CandidateEvent, CandidateStatus
from referrals.models import ReferralStatus, ReferralTransition
from referrals.services import ReferralError, referral_send, referral_withdraw
from tests.factories import CandidateFactory, ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(territory, counsellor):
    candidate = CandidateFactory(target_territory=territory, mature=True)
    return referral_send(candidate=candidate, territories=[territory], by=counsellor, message="Projet mûr")


def test_withdraw_logs_the_transition_and_returns_the_file_to_coaching(referral):
    user = referral.candidate.user

    referral_withdraw(referral=referral, by_user=user, reason="Consentement retiré")

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    transition = ReferralTransition.objects.filter(referral=referral).last()
    assert (transition.from_status, transition.to_status) == ("pending", "withdrawn")
    assert (transition.by_user, transition.reason) == (user, "Consentement retiré")
    candidate = referral.candidate
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.COACHING
    event = CandidateEvent.objects.filter(candidate=candidate).last()
    assert (event.from_status, event.to_status, event.actor) == ("referred", "coaching", user)


def test_withdraw_without_a_user(referral):
    referral_withdraw(referral=referral, reason="Compte supprimé")

    assert ReferralTransition.objects.filter(referral=referral).last().by_user is None


def test_withdraw_leaves_a_status_other_than_referred_alone(referral):
    type(referral.candidate).objects.filter(pk=referral.candidate_id).update(status=CandidateStatus.ON_HOLD)

    referral_withdraw(referral=referral, reason="r")

    referral.candidate.refresh_from_db()
    assert referral.candidate.status == CandidateStatus.ON_HOLD


@pytest.mark.parametrize("status", ["accepted", "declined", "expired", "withdrawn"])
def test_withdrawing_a_referral_no_longer_pending_is_refused_and_changes_nothing(status):
    referral = ReferralFactory(status=status, candidate__status=CandidateStatus.TAKEN_ON)
    events = CandidateEvent.objects.count()

    with pytest.raises(ReferralError, match="plus en attente"):
        referral_withdraw(referral=referral, by_user=referral.candidate.user, reason="r")

    referral.refresh_from_db()
    referral.candidate.refresh_from_db()
    assert referral.status == status
    assert not ReferralTransition.objects.exists()
    assert referral.candidate.status == CandidateStatus.TAKEN_ON
    assert CandidateEvent.objects.count() == events


def test_withdraw_reads_the_current_status_not_the_callers_copy(referral):
    stale = type(referral).objects.get(pk=referral.pk)
    type(referral).objects.filter(pk=referral.pk).update(status=ReferralStatus.ACCEPTED)

    with pytest.raises(ReferralError):
        referral_withdraw(referral=stale, reason="r")
