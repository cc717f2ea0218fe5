"""The activities' rules: what may be published, who may register, the waiting list, cancelling,
attendance and the reminder; the emails each change sends, in the person's language."""

import datetime
import email

import pytest
from django.utils import timezone

from activities import tasks
from activities.errors import ActivityError
from activities.models import Activity, ActivityStatus, Registration, RegistrationEvent, RegistrationStatus
from activities.services import (
    activity_cancel,
    activity_publish,
    activity_update,
    attendance_record,
    registration_cancel,
    registration_create,
    registrations_remind,
)
from candidates.choices import CandidateStatus, ProfileKind
from notifications.models import OutboxEmail
from tests.factories import AgentFactory, CandidateFactory, TerritoryFactory

from .factories import ActivityFactory, in_days, started

pytestmark = pytest.mark.django_db


def fields(**changes) -> dict:
    starts = in_days(20, hour=9)
    return {
        "kind": "exploratory_stay",
        "title_fr": "Séjour exploratoire",
        "description_fr": "Trois jours en région.",
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(days=2),
        "place": "Hôtel de ville",
        "language": "fr",
        "capacity": 10,
        "registration_deadline": starts - datetime.timedelta(days=5),
        **changes,
    }


def test_an_agent_publishes_for_their_territory_only():
    mine, other = TerritoryFactory(), TerritoryFactory()
    agent = AgentFactory(territories=[mine])

    activity = activity_publish(territory=mine, fields=fields(), agent=agent)

    assert activity.status == ActivityStatus.PUBLISHED and activity.published_by_agent == agent
    assert activity.cancellation_deadline == activity.starts_at  # by default, until it starts
    with pytest.raises(ActivityError, match="vos territoires"):
        activity_publish(territory=other, fields=fields(), agent=agent)
    agent.is_active = False
    agent.save()
    with pytest.raises(ActivityError):
        activity_publish(territory=mine, fields=fields(), agent=agent)
    assert Activity.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"starts_at": timezone.now() - datetime.timedelta(hours=1)}, "futur"),
        ({"ends_at": in_days(19)}, "après le début"),
        ({"registration_deadline": in_days(21)}, "précéder le début"),
        ({"capacity": 0}, "au moins une place"),
        ({"place": "", "online_url": ""}, "lieu ou un lien"),
        ({"age_min": 30, "age_max": 20}, "âge maximum"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(changes, message):
    territory = TerritoryFactory()
    with pytest.raises(ActivityError, match=message):
        activity_publish(territory=territory, fields=fields(**changes))
    assert not Activity.objects.exists()


def test_capacity_never_goes_below_the_number_registered():
    activity = ActivityFactory(capacity=3)
    for _ in range(3):
        registration_create(activity=activity, candidate=CandidateFactory())
    with pytest.raises(ActivityError, match="3 personnes inscrites"):
        activity_update(activity=activity, fields={"capacity": 2})
    activity.refresh_from_db()
    assert activity.capacity == 3


def test_more_seats_let_the_waiting_list_in():
    activity = ActivityFactory(capacity=1)
    registration_create(activity=activity, candidate=CandidateFactory())
    waiting = registration_create(activity=activity, candidate=CandidateFactory())

    activity_update(activity=activity, fields={"capacity": 2})

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.REGISTERED


def test_a_seat_then_the_waiting_list_then_moving_up_when_someone_cancels(django_capture_on_commit_callbacks):
    activity = ActivityFactory(capacity=1)
    first, second, third = (CandidateFactory(language=language) for language in ("fr", "en", "fr"))

    with django_capture_on_commit_callbacks(execute=True):
        seat = registration_create(activity=activity, candidate=first)
        waiting = registration_create(activity=activity, candidate=second)
        last = registration_create(activity=activity, candidate=third)

    assert seat.status == RegistrationStatus.REGISTERED
    assert waiting.status == last.status == RegistrationStatus.WAITING
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=seat, by=first.user)

    waiting.refresh_from_db()
    last.refresh_from_db()
    assert waiting.status == RegistrationStatus.REGISTERED  # the first in line, not the last
    assert last.status == RegistrationStatus.WAITING
    assert list(waiting.events.values_list("code", flat=True)) == ["waitlisted", "promoted"]
    promoted = OutboxEmail.objects.get(template="activity_promoted_candidate")
    assert promoted.recipient == second.email
    assert promoted.subject.startswith("A seat has freed up")  # in the person's language
    assert second.last_name not in promoted.subject


def test_the_confirmation_carries_the_event_as_an_ics_attachment(mailoutbox, django_capture_on_commit_callbacks):
    activity = ActivityFactory(online_url="https://rencontre.example.org/s")
    candidate = CandidateFactory()
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(activity=activity, candidate=candidate)

    [message] = mailoutbox
    parsed = email.message_from_bytes(message.message().as_bytes())
    [ics] = [part for part in parsed.walk() if part.get_content_type() == "text/calendar"]
    body = ics.get_payload(decode=True).decode()
    assert f"UID:activity-{activity.pk}@" in body
    assert "rencontre.example.org" in body  # the registrant gets the online link
    assert OutboxEmail.objects.get().attachments == []  # emptied once sent


def test_only_a_submitted_file_registers_once_before_the_deadline():
    activity = ActivityFactory()
    with pytest.raises(ActivityError, match="soumis"):
        registration_create(activity=activity, candidate=CandidateFactory(status=CandidateStatus.DRAFT))
    candidate = CandidateFactory()
    registration_create(activity=activity, candidate=candidate)
    with pytest.raises(ActivityError, match="déjà inscrit"):
        registration_create(activity=activity, candidate=candidate)
    late = ActivityFactory(registration_deadline=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(ActivityError, match="date limite"):
        registration_create(activity=late, candidate=candidate)
    assert Registration.objects.count() == 1


def test_a_cancelled_activity_takes_no_registration():
    activity = ActivityFactory()
    activity_cancel(activity=activity, by=None)
    with pytest.raises(ActivityError, match="annulée"):
        registration_create(activity=activity, candidate=CandidateFactory())


def test_who_may_register():
    activity = ActivityFactory(age_min=18, age_max=35, profile_kinds=[ProfileKind.IMMIGRANT])
    old = CandidateFactory(date_of_birth=datetime.date(1960, 1, 1))
    with pytest.raises(ActivityError, match="35 ans et moins"):
        registration_create(activity=activity, candidate=old)
    native = CandidateFactory(profile_kind=ProfileKind.NATIVE, date_of_birth=datetime.date(2000, 1, 1))
    with pytest.raises(ActivityError, match="profil"):
        registration_create(activity=activity, candidate=native)
    registration_create(activity=activity, candidate=CandidateFactory(date_of_birth=datetime.date(2000, 1, 1)))


def test_the_person_cancels_until_the_set_time_only():
    activity = ActivityFactory()
    registration = registration_create(activity=activity, candidate=CandidateFactory())
    Activity.objects.filter(pk=activity.pk).update(cancellation_deadline=timezone.now() - datetime.timedelta(hours=1))
    with pytest.raises(ActivityError, match="trop tard"):
        registration_cancel(registration=registration, by=None)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED


def test_cancelling_the_activity_tells_every_registrant_in_their_language(django_capture_on_commit_callbacks):
    territory = TerritoryFactory()
    agent = AgentFactory(territories=[territory])
    activity = ActivityFactory(territory=territory, capacity=1)
    french, english = CandidateFactory(language="fr"), CandidateFactory(language="en")
    registration_create(activity=activity, candidate=french)
    registration_create(activity=activity, candidate=english)  # waiting list
    with pytest.raises(ActivityError, match="vos territoires"):
        activity_cancel(activity=activity, by=None, agent=AgentFactory(territories=[TerritoryFactory()]))

    with django_capture_on_commit_callbacks(execute=True):
        told = activity_cancel(activity=activity, by=None, agent=agent)

    assert told == 2
    emails = {e.recipient: e for e in OutboxEmail.objects.filter(template="activity_cancelled_candidate")}
    assert emails[french.email].subject.startswith("Activité annulée")
    assert emails[english.email].subject.startswith("Activity cancelled")
    assert not Registration.objects.exclude(status=RegistrationStatus.CANCELLED).exists()
    with pytest.raises(ActivityError, match="déjà annulée"):
        activity_cancel(activity=activity, by=None)


def test_attendance_by_the_territory_s_agent_once_it_started():
    territory = TerritoryFactory()
    agent = AgentFactory(territories=[territory])
    activity = ActivityFactory(territory=territory)
    registration = registration_create(activity=activity, candidate=CandidateFactory())
    with pytest.raises(ActivityError, match="commencée"):
        attendance_record(registration=registration, agent=agent, attended=True)
    started(activity)
    with pytest.raises(ActivityError, match="vos territoires"):
        attendance_record(
            registration=registration, agent=AgentFactory(territories=[TerritoryFactory()]), attended=True
        )

    attendance_record(registration=registration, agent=agent, attended=True)

    registration.refresh_from_db()
    assert registration.attended is True and registration.attendance_recorded_by == agent
    assert registration.events.last().code == RegistrationEvent.Code.ATTENDED


def test_the_reminder_goes_two_days_before_once():
    soon = ActivityFactory(
        starts_at=in_days(1.5),
        ends_at=in_days(2),
        registration_deadline=in_days(1),
        cancellation_deadline=in_days(1),
    )
    later = ActivityFactory()
    for activity in (soon, later):
        registration_create(activity=activity, candidate=CandidateFactory())

    assert tasks.registrations_remind.delay().get() == 1  # the beat task runs the service
    assert registrations_remind() == 0
    [reminder] = OutboxEmail.objects.filter(template="activity_reminder_candidate")
    assert reminder.attachments and reminder.attachments[0]["filename"] == "activite.ics"


def test_attending_a_sejour_ticks_region_explored_with_its_date_and_territory_and_marks_the_timeline():
    from candidates.maturity import maturity_checklist
    from candidates.models import CandidateEvent, EventCode, MaturityAssessment

    territory = TerritoryFactory(name="La Haute-Gaspésie")
    agent = AgentFactory(territories=[territory])
    stay = ActivityFactory(territory=territory)
    visit = ActivityFactory(territory=territory, kind="visit")
    candidate = CandidateFactory()
    registrations = [registration_create(activity=a, candidate=candidate) for a in (visit, stay)]
    for activity in (visit, stay):
        started(activity)

    attendance_record(registration=registrations[0], agent=agent, attended=True)
    assert not MaturityAssessment.objects.filter(candidate=candidate, region_explored=True).exists()  # a visit

    attendance_record(registration=registrations[1], agent=agent, attended=True)
    attendance_record(registration=registrations[1], agent=agent, attended=True)  # twice: one event

    assessment = MaturityAssessment.objects.get(candidate=candidate)
    stay.refresh_from_db()
    assert assessment.region_explored is True
    assert assessment.region_explored_on == timezone.localdate(stay.starts_at)
    assert assessment.region_explored_territory == territory
    [item] = [i for i in maturity_checklist(candidate, assessment) if i.key == "region_explored"]
    assert item.done is True and "La Haute-Gaspésie" in item.detail
    [event] = CandidateEvent.objects.filter(candidate=candidate, code=EventCode.REGION_EXPLORED)
    assert event.params == {"territory": territory.pk, "date": assessment.region_explored_on.isoformat()}


def test_a_new_time_is_told_to_everyone_registered_or_waiting_once_per_change():
    activity = ActivityFactory(capacity=1)
    seat = registration_create(activity=activity, candidate=CandidateFactory())
    waiting = registration_create(activity=activity, candidate=CandidateFactory())

    activity_update(activity=activity, fields={"title_fr": "Nouveau titre"})
    assert not OutboxEmail.objects.filter(template="activity_changed_candidate").exists()
    activity_update(activity=activity, fields={"ends_at": activity.ends_at + datetime.timedelta(hours=2)})
    activity_update(activity=activity, fields={"place": "Salle communautaire"})

    changed = OutboxEmail.objects.filter(template="activity_changed_candidate")
    assert sorted(changed.values_list("recipient", flat=True)) == sorted(
        [seat.candidate.email, waiting.candidate.email] * 2
    )
    assert all(bool(e.attachments) == (e.recipient == seat.candidate.email) for e in changed)
