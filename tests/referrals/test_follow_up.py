import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates.history import with_texts
from candidates.models import CandidateEvent, CandidateStatus
from referrals.agent_selectors import follow_ups_prefetch
from referrals.models import FollowUp, FollowUpStep, Referral, ReferralStatus
from referrals.services import ReferralError, follow_up_open_steps, follow_up_record
from tests.referrals.factories_agent import FollowUpFactory, agent_with_account, referral_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


@pytest.fixture
def accepted(agent):
    return referral_for(agent, status=ReferralStatus.ACCEPTED)


def record(referral, step, *, agent, note="", occurred_on=None):
    return follow_up_record(referral=referral, step=step, occurred_on=occurred_on or TODAY(), note=note, by_agent=agent)


def status_of(referral) -> str:
    referral.candidate.refresh_from_db()
    return referral.candidate.status


# --- The rules --------------------------------------------------------------------------------


def test_agent_records_the_path_to_settled(agent, accepted):
    record(accepted, FollowUpStep.FIRST_CONTACT, agent=agent, occurred_on=TODAY() - 90 * DAY)
    record(accepted, FollowUpStep.EXPLORATORY_STAY, agent=agent, occurred_on=TODAY() - 80 * DAY)
    record(accepted, FollowUpStep.JOB_FOUND, agent=agent, occurred_on=TODAY() - 70 * DAY)
    assert status_of(accepted) == CandidateStatus.TAKEN_ON

    record(accepted, FollowUpStep.MOVED, agent=agent, occurred_on=TODAY() - 60 * DAY, note="Loyer trouvé")
    assert status_of(accepted) == CandidateStatus.MOVED

    record(accepted, FollowUpStep.SETTLED, agent=agent, occurred_on=TODAY() - DAY)
    assert status_of(accepted) == CandidateStatus.SETTLED

    record(accepted, FollowUpStep.CHECKIN_3, agent=agent, note="Tout va bien.")
    assert list(accepted.follow_ups.values_list("step", flat=True)) == [
        "first_contact",
        "exploratory_stay",
        "job_found",
        "moved",
        "settled",
        "checkin_3",
    ]
    status_changes = CandidateEvent.objects.filter(
        candidate=accepted.candidate, kind=CandidateEvent.Kind.STATUS_CHANGED
    ).values_list("from_status", "to_status")
    assert list(status_changes) == [("taken_on", "moved"), ("moved", "settled")]


def test_each_step_marks_the_timeline_with_its_label_and_date_not_the_note(agent, accepted):
    record(accepted, FollowUpStep.MOVED, agent=agent, occurred_on=datetime.date(2026, 3, 1), note="Note privée")

    event = CandidateEvent.objects.get(candidate=accepted.candidate, kind=CandidateEvent.Kind.FOLLOW_UP)
    text = with_texts([event])[0].text
    assert text.startswith("Déménagement en région : 1 mars 2026")
    assert str(agent) in text
    assert "Note privée" not in text and not event.note
    assert event.actor == agent.user
    assert FollowUp.objects.get().note == "Note privée"


@pytest.mark.parametrize(
    "status", [ReferralStatus.PENDING, ReferralStatus.DECLINED, ReferralStatus.EXPIRED, ReferralStatus.WITHDRAWN]
)
def test_only_an_accepted_referral_has_a_follow_up(agent, status):
    referral = referral_for(agent, status=status)

    with pytest.raises(ReferralError, match="acceptée"):
        record(referral, FollowUpStep.FIRST_CONTACT, agent=agent)
    assert not FollowUp.objects.exists()


def test_an_agent_of_another_territory_is_refused(accepted):
    with pytest.raises(ReferralError, match="territoire"):
        record(accepted, FollowUpStep.FIRST_CONTACT, agent=agent_with_account())


def test_an_inactive_agent_is_refused(agent, accepted):
    agent.is_active = False
    agent.save()

    with pytest.raises(ReferralError, match="territoire"):
        record(accepted, FollowUpStep.FIRST_CONTACT, agent=agent)


def test_each_step_once(agent, accepted):
    record(accepted, FollowUpStep.FIRST_CONTACT, agent=agent)

    with pytest.raises(ReferralError, match="déjà enregistrée"):
        record(accepted, FollowUpStep.FIRST_CONTACT, agent=agent)
    assert FollowUp.objects.count() == 1


def test_the_database_constraint_becomes_a_clear_error(agent, accepted, monkeypatch):
    """Two requests at once: the second one's check ran before the first one's row existed."""
    record(accepted, FollowUpStep.FIRST_CONTACT, agent=agent)
    original = Referral.follow_ups.related_manager_cls.all

    def stale(manager):
        return original(manager).none() if manager.instance.pk == accepted.pk else original(manager)

    monkeypatch.setattr(Referral.follow_ups.related_manager_cls, "all", stale)

    with pytest.raises(ReferralError, match="déjà enregistrée"):
        record(accepted, FollowUpStep.FIRST_CONTACT, agent=agent)


def test_not_in_the_future(agent, accepted):
    with pytest.raises(ReferralError, match="futur"):
        record(accepted, FollowUpStep.FIRST_CONTACT, agent=agent, occurred_on=TODAY() + DAY)


def test_an_unknown_step_is_refused(agent, accepted):
    with pytest.raises(ReferralError):
        record(accepted, "teleported", agent=agent)


@pytest.mark.parametrize("step", [FollowUpStep.CHECKIN_3, FollowUpStep.CHECKIN_6, FollowUpStep.CHECKIN_12])
def test_check_ins_need_the_move_first_and_a_note(agent, accepted, step):
    with pytest.raises(ReferralError, match="déménagement"):
        record(accepted, step, agent=agent, note="Tout va bien.")
    record(accepted, FollowUpStep.MOVED, agent=agent, occurred_on=TODAY() - 10 * DAY)
    with pytest.raises(ReferralError, match="quelques mots"):
        record(accepted, step, agent=agent, note="   ")
    with pytest.raises(ReferralError, match="avant le déménagement"):
        record(accepted, step, agent=agent, note="Tout va bien.", occurred_on=TODAY() - 11 * DAY)

    record(accepted, step, agent=agent, note="Tout va bien.")


def test_closing_needs_a_reason_and_ends_the_follow_up(agent, accepted):
    with pytest.raises(ReferralError, match="pourquoi"):
        record(accepted, FollowUpStep.CLOSED, agent=agent)

    record(accepted, FollowUpStep.CLOSED, agent=agent, note="La personne est repartie à Montréal.")

    with pytest.raises(ReferralError, match="terminé"):
        record(accepted, FollowUpStep.FIRST_CONTACT, agent=agent)
    assert follow_up_open_steps(referral=accepted, recorded=accepted.follow_ups.all()) == []


def test_a_late_move_never_moves_the_file_backwards(agent, accepted):
    record(accepted, FollowUpStep.SETTLED, agent=agent)
    assert status_of(accepted) == CandidateStatus.SETTLED

    record(accepted, FollowUpStep.MOVED, agent=agent, occurred_on=TODAY() - DAY)

    assert status_of(accepted) == CandidateStatus.SETTLED


def test_a_file_on_hold_keeps_its_status(agent, accepted):
    accepted.candidate.status = CandidateStatus.ON_HOLD
    accepted.candidate.save()

    record(accepted, FollowUpStep.MOVED, agent=agent)

    assert status_of(accepted) == CandidateStatus.ON_HOLD


def test_open_steps():
    agent = agent_with_account()
    accepted = referral_for(agent, status=ReferralStatus.ACCEPTED)
    assert follow_up_open_steps(referral=accepted, recorded=[]) == [
        "first_contact",
        "exploratory_stay",
        "job_found",
        "moved",
        "settled",
        "closed",
    ]
    moved = FollowUpFactory(referral=accepted, step="moved")
    assert "checkin_3" in follow_up_open_steps(referral=accepted, recorded=[moved])
    assert follow_up_open_steps(referral=referral_for(agent), recorded=[]) == []


# --- The page ---------------------------------------------------------------------------------


def test_agent_records_a_step_from_the_detail_page(client, agent, accepted):
    client.force_login(agent.user)

    response = client.post(
        reverse("referrals:agent_follow_up", args=[accepted.pk]),
        {"step": "moved", "occurred_on": TODAY().isoformat(), "note": "Installée à Rimouski."},
    )

    assert response["Location"] == reverse("referrals:agent_referral", args=[accepted.pk])
    assert status_of(accepted) == CandidateStatus.MOVED
    page = client.get(response["Location"]).content.decode()
    assert "Installée à Rimouski." in page
    assert "Étape du suivi enregistrée" in page


def test_the_form_offers_only_the_steps_still_possible(client, agent, accepted):
    FollowUpFactory(referral=accepted, step="first_contact")
    client.force_login(agent.user)

    form = client.get(reverse("referrals:agent_referral", args=[accepted.pk])).context["follow_up_form"]

    offered = [value for value, _ in form.fields["step"].choices]
    assert "first_contact" not in offered
    assert "checkin_3" not in offered
    assert "moved" in offered


def test_a_step_not_offered_is_refused_by_the_form(client, agent, accepted):
    client.force_login(agent.user)

    response = client.post(
        reverse("referrals:agent_follow_up", args=[accepted.pk]),
        {"step": "checkin_3", "occurred_on": TODAY().isoformat(), "note": "x"},
    )

    assert response.status_code == 400
    assert not FollowUp.objects.exists()


def test_the_form_refuses_a_future_date_and_a_missing_note(client, agent, accepted):
    client.force_login(agent.user)
    url = reverse("referrals:agent_follow_up", args=[accepted.pk])

    future = client.post(url, {"step": "first_contact", "occurred_on": (TODAY() + DAY).isoformat()})
    no_reason = client.post(url, {"step": "closed", "occurred_on": TODAY().isoformat(), "note": ""})

    assert (future.status_code, no_reason.status_code) == (400, 400)
    assert "futur" in future.content.decode()
    assert not FollowUp.objects.exists()


def test_no_form_once_the_follow_up_is_closed(client, agent, accepted):
    FollowUpFactory(referral=accepted, step="closed", note="Fin.")
    client.force_login(agent.user)

    page = client.get(reverse("referrals:agent_referral", args=[accepted.pk]))
    response = client.post(
        reverse("referrals:agent_follow_up", args=[accepted.pk]),
        {"step": "first_contact", "occurred_on": TODAY().isoformat()},
        follow=True,
    )

    assert page.context["follow_up_form"] is None
    assert "Aucune étape de suivi" in response.content.decode()
    assert FollowUp.objects.count() == 1


def test_no_follow_up_on_a_pending_referral_from_the_page(client, agent):
    pending = referral_for(agent)
    client.force_login(agent.user)

    client.post(
        reverse("referrals:agent_follow_up", args=[pending.pk]),
        {"step": "first_contact", "occurred_on": TODAY().isoformat()},
    )

    assert not FollowUp.objects.exists()


def test_hostile_note_is_escaped_on_the_page_and_in_the_counsellors_partial(client, agent, accepted):
    hostile = "<script>alert(1)</script>"
    client.force_login(agent.user)
    client.post(
        reverse("referrals:agent_follow_up", args=[accepted.pk]),
        {"step": "closed", "occurred_on": TODAY().isoformat(), "note": hostile},
    )
    assert FollowUp.objects.get().note == hostile

    page = client.get(reverse("referrals:agent_referral", args=[accepted.pk])).content.decode()
    referral = Referral.objects.prefetch_related(follow_ups_prefetch()).get(pk=accepted.pk)
    partial = render_to_string("referrals/_follow_up_timeline.html", {"referral": referral})

    for html in (page, partial):
        assert hostile not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_partial_costs_no_query_once_prefetched(agent, accepted):
    for step in ("first_contact", "job_found", "moved"):
        FollowUpFactory(referral=accepted, step=step, by_agent=agent)
    FollowUpFactory(referral=accepted, step="settled", by_agent=agent)
    referral = Referral.objects.prefetch_related(follow_ups_prefetch()).get(pk=accepted.pk)

    with CaptureQueriesContext(connection) as queries:
        html = render_to_string("referrals/_follow_up_timeline.html", {"referral": referral})

    assert len(queries) == 0
    assert str(agent) in html
    assert "Établi·e dans la région" in html
