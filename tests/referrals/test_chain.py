"""The referral's state machine: the counsellor's ordered list, fallback, expiry, withdrawal,
and every transition the rules refuse."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from candidates.models import CandidateEvent, CandidateStatus
from counselling.forms import ReferralSendForm
from referrals.history import transition_text
from referrals.models import DeclineReason, Referral, ReferralStatus, ReferralTransition
from referrals.services import (
    ReferralError,
    referral_accept,
    referral_decline,
    referral_expire,
    referral_send,
    referral_withdraw,
    referrals_expire_overdue,
)
from tests.factories import AgentFactory, CandidateFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


def territory_with_agent():
    territory = TerritoryFactory()
    AgentFactory(territories=[territory])
    return territory


@pytest.fixture
def territories():
    return [territory_with_agent() for _ in range(3)]


@pytest.fixture
def candidate(territories):
    return CandidateFactory(target_territory=territories[0], more_targets=territories[1:], mature=True)


@pytest.fixture
def send(candidate, territories, counsellor, django_capture_on_commit_callbacks, mailoutbox):
    def send(chosen=None):
        with django_capture_on_commit_callbacks(execute=True):
            first = referral_send(
                candidate=candidate, territories=chosen or territories, by=counsellor, message="Projet mûr"
            )
        return list(Referral.objects.chain_of(first))

    return send


def decline(referral, capture, category=DeclineReason.NO_JOBS):
    with capture(execute=True):
        return referral_decline(referral=referral, agent=referral.territory.agents.get(), category=category)


def statuses(chain):
    return [Referral.objects.get(pk=r.pk).status for r in chain]


def test_a_list_reaches_its_first_territory_only(send, candidate, territories, mailoutbox):
    chain = send()

    assert [r.territory for r in chain] == territories
    assert [r.rank for r in chain] == [1, 2, 3]
    assert statuses(chain) == ["pending", "queued", "queued"]
    assert chain[0].expires_at is not None and chain[1].expires_at is None and chain[1].sent_at is None
    assert [m.to for m in mailoutbox] == [[territories[0].agents.get().email], [candidate.email]]
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.REFERRED
    # The file lists the newest list first, each in the counsellor's order.
    assert list(candidate.referrals.all()) == chain


def test_a_decline_passes_the_referral_to_the_next_territory(
    send, candidate, territories, mailoutbox, django_capture_on_commit_callbacks
):
    chain = send()
    mailoutbox.clear()

    decline(chain[0], django_capture_on_commit_callbacks)

    assert statuses(chain) == ["declined", "pending", "queued"]
    second = Referral.objects.get(pk=chain[1].pk)
    assert second.sent_at is not None
    assert second.expires_at > timezone.now() + datetime.timedelta(days=9)
    transition = second.transitions.last()
    assert (transition.from_status, transition.to_status) == ("queued", "pending")
    assert territories[0].name in transition_text(transition)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.REFERRED
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert territories[1].agents.get().email in recipients  # the next territory's link
    assert candidate.email in recipients and chain[0].sent_by.email in recipients
    counsellor_mail = next(m for m in mailoutbox if m.to == [chain[0].sent_by.email])
    assert f"passe au territoire suivant de votre liste : {territories[1].name}" in counsellor_mail.body
    candidate_mail = next(m for m in mailoutbox if m.to == [candidate.email])
    assert territories[1].name in candidate_mail.body
    assert "Peu d'emplois" not in candidate_mail.body  # the reason is for the counsellor
    assert CandidateEvent.objects.filter(
        candidate=candidate, kind="referral", code="passed_on", params__territory=territories[1].pk
    ).exists()


def test_when_the_list_is_exhausted_the_file_returns_to_the_counsellor(
    send, candidate, mailoutbox, django_capture_on_commit_callbacks
):
    chain = send()
    for referral in chain:
        decline(Referral.objects.get(pk=referral.pk), django_capture_on_commit_callbacks)

    assert statuses(chain) == ["declined"] * 3
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.COACHING
    last = [m for m in mailoutbox if m.to == [chain[0].sent_by.email]][-1]
    assert "Votre liste de territoires est épuisée : le dossier vous revient." in last.body


def test_an_acceptance_ends_the_list(send, candidate, django_capture_on_commit_callbacks):
    chain = send()
    decline(chain[0], django_capture_on_commit_callbacks)
    second = Referral.objects.get(pk=chain[1].pk)

    with django_capture_on_commit_callbacks(execute=True):
        referral_accept(referral=second, agent=second.territory.agents.get())

    assert statuses(chain) == ["declined", "accepted", "withdrawn"]
    assert "Acceptée par le territoire" in transition_text(Referral.objects.get(pk=chain[2].pk).transitions.last())
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.TAKEN_ON


def test_a_territory_that_can_no_longer_receive_is_skipped(
    send, territories, candidate, django_capture_on_commit_callbacks
):
    chain = send()
    territories[1].agents.update(is_active=False)

    decline(chain[0], django_capture_on_commit_callbacks)

    assert statuses(chain) == ["declined", "withdrawn", "pending"]


def test_an_overdue_referral_expires_and_passes_on(send, candidate, mailoutbox, django_capture_on_commit_callbacks):
    chain = send()
    Referral.objects.filter(pk=chain[0].pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert referrals_expire_overdue() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert referrals_expire_overdue() == 0  # a second run finds nothing to do

    assert statuses(chain) == ["expired", "pending", "queued"]
    expired = Referral.objects.get(pk=chain[0].pk).transitions.last()
    assert (expired.from_status, expired.to_status, expired.by_user, expired.by_agent) == (
        "pending",
        "expired",
        None,
        None,
    )
    assert "10 jours" in transition_text(expired)
    counsellor_mails = [m for m in mailoutbox if m.to == [chain[0].sent_by.email]]
    assert len(counsellor_mails) == 1
    assert "n'a pas répondu à temps" in counsellor_mails[0].body


def test_a_referral_not_yet_due_does_not_expire(send):
    chain = send()

    assert referral_expire(referral=chain[0]) is None
    assert referrals_expire_overdue() == 0
    assert statuses(chain) == ["pending", "queued", "queued"]


def test_a_withdrawal_withdraws_the_rest_of_the_list_and_tells_the_agents(
    send, candidate, counsellor, territories, mailoutbox, django_capture_on_commit_callbacks
):
    chain = send()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        referral_withdraw(referral=chain[0], by_user=counsellor, reason="La personne a trouvé un emploi à Montréal")

    assert statuses(chain) == ["withdrawn"] * 3
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.COACHING
    assert [m.to for m in mailoutbox] == [[territories[0].agents.get().email]]
    assert "a été retirée" in mailoutbox[0].body


def test_a_withdrawal_needs_a_reason(send, counsellor):
    chain = send()

    with pytest.raises(ReferralError, match="raison du retrait"):
        referral_withdraw(referral=chain[0], by_user=counsellor, reason="  ")
    assert statuses(chain) == ["pending", "queued", "queued"]


# --- Refused transitions: each raises, and changes nothing --------------------------------


def snapshot(chain):
    return statuses(chain), ReferralTransition.objects.count(), CandidateEvent.objects.count()


def test_a_queued_referral_cannot_be_answered(send):
    chain = send()
    before = snapshot(chain)
    queued = chain[1]
    agent = queued.territory.agents.get()

    for answer in (
        lambda: referral_accept(referral=queued, agent=agent),
        lambda: referral_decline(referral=queued, agent=agent, category=DeclineReason.HOUSING),
    ):
        with pytest.raises(ReferralError, match="n'attend plus de réponse"):
            answer()
    with pytest.raises(ReferralError):
        referral_withdraw(referral=queued, by_user=None, reason="x")
    assert snapshot(chain) == before


@pytest.mark.parametrize("final", ["accepted", "declined", "expired", "withdrawn"])
def test_a_final_referral_changes_no_more(send, final, counsellor):
    chain = send()
    first = chain[0]
    agent = first.territory.agents.get()
    Referral.objects.filter(pk=first.pk).update(status=final)
    before = snapshot(chain)

    for change in (
        lambda: referral_accept(referral=first, agent=agent),
        lambda: referral_decline(referral=first, agent=agent, category=DeclineReason.CAPACITY),
        lambda: referral_withdraw(referral=first, by_user=counsellor, reason="x"),
    ):
        with pytest.raises(ReferralError):
            change()
    Referral.objects.filter(pk=first.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    assert referral_expire(referral=first) is None
    assert snapshot(chain) == before


def test_an_answer_after_the_deadline_is_refused(send):
    chain = send()
    Referral.objects.filter(pk=chain[0].pk).update(expires_at=timezone.now())
    before = snapshot(chain)

    with pytest.raises(ReferralError, match="délai de réponse"):
        referral_accept(referral=chain[0], agent=chain[0].territory.agents.get())
    assert snapshot(chain) == before


def test_a_decline_needs_a_reason_from_the_list(send):
    chain = send()
    agent = chain[0].territory.agents.get()
    before = snapshot(chain)

    with pytest.raises(ReferralError, match="dans la liste"):
        referral_decline(referral=chain[0], agent=agent, category="bof")
    with pytest.raises(ReferralError, match="Expliquez"):
        referral_decline(referral=chain[0], agent=agent, category=DeclineReason.OTHER, reason=" ")
    assert snapshot(chain) == before


def test_an_agent_of_another_territory_cannot_answer(send):
    chain = send()
    before = snapshot(chain)

    with pytest.raises(ReferralError, match="pas agent·e de ce territoire"):
        referral_accept(referral=chain[0], agent=chain[1].territory.agents.get())
    assert snapshot(chain) == before


def test_a_list_of_more_than_three_or_none_is_refused(candidate, counsellor, territories):
    with pytest.raises(ReferralError, match="au plus trois"):
        referral_send(candidate=candidate, territories=[*territories, territory_with_agent()], by=counsellor)
    with pytest.raises(ReferralError, match="au moins un"):
        referral_send(candidate=candidate, territories=[], by=counsellor)
    assert not Referral.objects.exists()


def test_a_territory_twice_in_the_list_counts_once(send, territories):
    chain = send([territories[0], territories[1], territories[0]])

    assert [r.territory for r in chain] == territories[:2]


def test_a_second_list_while_one_is_pending_is_refused(send, candidate, counsellor, territories):
    send()
    candidate.refresh_from_db()
    candidate.status = CandidateStatus.COACHING  # even if the status said otherwise
    candidate.save()

    with pytest.raises(ReferralError, match="déjà en attente"):
        referral_send(candidate=candidate, territories=territories[1:], by=counsellor)
    assert Referral.objects.count() == 3


def test_the_database_refuses_a_second_open_referral(send, candidate, territories):
    chain = send()

    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(
            candidate=candidate,
            territory=territories[2],
            sent_by=chain[0].sent_by,
            status=ReferralStatus.PENDING,
            expires_at=timezone.now(),
        )


def test_agents_never_see_a_queued_referral(send, territories):
    chain = send()
    agent = territories[1].agents.get()

    assert not Referral.objects.for_agent(agent).exists()
    assert list(Referral.objects.for_agent(territories[0].agents.get())) == [chain[0]]


# --- The form --------------------------------------------------------------------------------


def test_the_form_is_prefilled_with_the_candidates_targets_in_order(territories):
    candidate = CandidateFactory(target_territory=territories[1])
    candidate.targets.create(territory=territories[2], rank=2)

    form = ReferralSendForm.for_candidate(candidate, mature=True)

    assert form.initial == {"territory_1": territories[1].pk, "territory_2": territories[2].pk}


def test_the_form_refuses_a_gap_or_a_territory_twice(territories):
    gap = ReferralSendForm({"territory_1": territories[0].pk, "territory_3": territories[1].pk}, mature=True)
    twice = ReferralSendForm({"territory_1": territories[0].pk, "territory_2": territories[0].pk}, mature=True)
    good = ReferralSendForm(
        {"territory_1": territories[2].pk, "territory_2": territories[0].pk, "territory_3": territories[1].pk},
        mature=True,
    )

    assert "territory_3" in gap.errors
    assert "territory_2" in twice.errors
    assert good.is_valid() and good.territories == [territories[2], territories[0], territories[1]]
