"""The activities' writes: publishing and cancelling an activity, registering, the waiting list,
attendance, the reminders, and forgetting a person. One lock order, that of the platform: the
person's file first (candidates.locks), then the activity, then its registrations. Emails go
through the outbox, in the recipient's language, after commit."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from candidates.choices import CandidateStatus
from candidates.locks import lock_candidate
from candidates.models import Candidate
from candidates.services import candidate_region_explored
from common.urls import absolute_url
from notifications.services import outbox_enqueue, outbox_forget
from territories.models import Agent, Territory

from .errors import ActivityError
from .ics import calendar
from .models import Activity, ActivityKind, ActivityStatus, Registration, RegistrationEvent, RegistrationStatus
from .validation import activity_errors

logger = logging.getLogger(__name__)

# The reminder goes this long before the start (the beat task runs hourly).
REMINDER_BEFORE = timedelta(days=2)

ACTIVITY_FIELDS = (
    "kind",
    "title_fr",
    "title_en",
    "description_fr",
    "description_en",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "language",
    "capacity",
    "registration_deadline",
    "cancellation_deadline",
    "cost_fr",
    "cost_en",
    "age_min",
    "age_max",
    "profile_kinds",
)


def _agent_may_run(agent: Agent, territory: Territory) -> bool:
    return agent.is_active and agent.territories.filter(pk=territory.pk).exists()


def _raise_first(errors: dict[str, str]) -> None:
    if errors:
        raise ActivityError(next(iter(errors.values())))


def activity_publish(*, territory: Territory, fields: dict, agent: Agent | None = None) -> Activity:
    """Publish an activity in `territory`: by one of its active agents, or (agent=None) by a
    coordinator in the admin. The fields follow activities.validation."""
    if agent is not None and not _agent_may_run(agent, territory):
        raise ActivityError(_("Vous ne pouvez publier que pour vos territoires."))
    fields = {name: fields[name] for name in ACTIVITY_FIELDS if name in fields}
    fields.setdefault("cancellation_deadline", fields.get("starts_at"))
    _raise_first(activity_errors(fields))
    with transaction.atomic():
        activity = Activity.objects.create(territory=territory, published_by_agent=agent, **fields)
    logger.info("activity=%s published territory=%s agent=%s", activity.pk, territory.pk, agent.pk if agent else "-")
    return activity


# A change of these tells the registrants (with the event again, for their calendar).
TOLD_FIELDS = ("starts_at", "ends_at", "place", "online_url")


def activity_update(*, activity: Activity, fields: dict) -> Activity:
    """Change an activity (its agents, the admin): the same rules, never fewer seats than
    registrants; more seats move the waiting list up; a new time or place is told to everyone
    registered or waiting."""
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        registered = locked.registrations.filter(status=RegistrationStatus.REGISTERED).count()
        changed = {name: value for name, value in fields.items() if name in ACTIVITY_FIELDS}
        merged = {name: getattr(locked, name) for name in ACTIVITY_FIELDS} | changed
        _raise_first(activity_errors(merged, registered=registered, is_new=False))
        told = [name for name in TOLD_FIELDS if name in changed and changed[name] != getattr(locked, name)]
        for name, value in changed.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*changed, "updated_at"])
        _promote(locked)  # more seats may let the waiting list in
        if told:
            change = f"{locked.pk}:{locked.updated_at.isoformat()}"
            for registration in locked.registrations.active().select_related("candidate", "activity__territory"):
                registration.activity = locked
                _email(
                    registration,
                    "activity_changed_candidate",
                    with_calendar=registration.status == RegistrationStatus.REGISTERED,
                    key=f"activity_changed_candidate:{registration.pk}:{change}",
                )
    return locked


def _log(registration: Registration, code: str, *, from_status: str, by: User | None) -> None:
    RegistrationEvent.objects.create(
        registration=registration, code=code, from_status=from_status, to_status=registration.status, by_user=by
    )


def _email(registration: Registration, template: str, *, with_calendar: bool = False, key: str = "") -> None:
    candidate, activity = registration.candidate, registration.activity
    attachments = ()
    if with_calendar:
        attachments = (
            (
                "activite.ics",
                "text/calendar",
                calendar(
                    [activity],
                    name=activity.title_fr,
                    language=candidate.language,
                    online_link=template != "activity_cancelled_candidate",
                ),
            ),
        )
    outbox_enqueue(
        to=candidate.email,
        language=candidate.language,
        template=template,
        context={
            "candidate": candidate,
            "registration": registration,
            "activity": activity,
            "territory": activity.territory,
            "link": absolute_url("activities:detail", activity.pk),
            "my_file_link": absolute_url("my_file:home"),
        },
        key=key or f"{template}:{registration.pk}:{registration.events.count()}",
        attachments=attachments,
    )


def _promote(activity: Activity) -> int:
    """Give the free seats to the waiting list, first come first served; each person is told.
    The caller holds the activity's lock."""
    if activity.status != ActivityStatus.PUBLISHED or activity.starts_at <= timezone.now():
        return 0
    free = activity.capacity - activity.registrations.filter(status=RegistrationStatus.REGISTERED).count()
    promoted = 0
    for registration in activity.registrations.waiting_in_order().select_related("candidate")[: max(free, 0)]:
        registration.status = RegistrationStatus.REGISTERED
        registration.waiting_since = None
        registration.save(update_fields=["status", "waiting_since", "updated_at"])
        _log(registration, RegistrationEvent.Code.PROMOTED, from_status=RegistrationStatus.WAITING, by=None)
        registration.activity = activity
        _email(registration, "activity_promoted_candidate", with_calendar=True)
        promoted += 1
    if promoted:
        logger.info("activity=%s promoted=%s", activity.pk, promoted)
    return promoted


def activity_cancel(*, activity: Activity, by: User | None, agent: Agent | None = None) -> int:
    """Cancel a published activity that has not started; every registrant (waiting list
    included) is told. By one of its territory's agents, or a coordinator. Returns how many
    people were told."""
    with transaction.atomic():
        locked = Activity.objects.select_for_update().select_related("territory").get(pk=activity.pk)
        if agent is not None and not _agent_may_run(agent, locked.territory):
            raise ActivityError(_("Vous ne pouvez annuler que les activités de vos territoires."))
        if locked.status != ActivityStatus.PUBLISHED:
            raise ActivityError(_("Cette activité est déjà annulée."))
        if locked.starts_at <= timezone.now():
            raise ActivityError(_("Une activité commencée ne peut plus être annulée."))
        locked.status = ActivityStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["status", "cancelled_at", "updated_at"])
        told = 0
        for registration in locked.registrations.active().select_related("candidate").order_by("pk"):
            before = registration.status
            registration.status = RegistrationStatus.CANCELLED
            registration.waiting_since = None
            registration.save(update_fields=["status", "waiting_since", "updated_at"])
            _log(registration, RegistrationEvent.Code.ACTIVITY_CANCELLED, from_status=before, by=by)
            registration.activity = locked
            _email(registration, "activity_cancelled_candidate", with_calendar=True)
            told += 1
    logger.info("activity=%s cancelled told=%s", locked.pk, told)
    activity.status, activity.cancelled_at = locked.status, locked.cancelled_at
    return told


def _eligibility_error(activity: Activity, candidate: Candidate) -> str | None:
    age = candidate.age
    if age is not None and activity.age_min is not None and age < activity.age_min:
        return _("Cette activité s'adresse aux personnes de %(min)s ans et plus.") % {"min": activity.age_min}
    if age is not None and activity.age_max is not None and age > activity.age_max:
        return _("Cette activité s'adresse aux personnes de %(max)s ans et moins.") % {"max": activity.age_max}
    if activity.profile_kinds and candidate.profile_kind not in activity.profile_kinds:
        return _("Cette activité s'adresse à un autre profil que le vôtre.")
    return None


def registration_create(*, activity: Activity, candidate: Candidate, by: User | None = None) -> Registration:
    """Register the person: a seat while there is one, else the waiting list. Only a submitted
    file, before the deadline, for a published activity, once. The activity's row is locked, so
    two people can never take the last seat together."""
    with transaction.atomic():
        candidate = lock_candidate(candidate.pk)
        if candidate is None or candidate.anonymized_at is not None:
            raise ActivityError(_("Ce dossier n'existe plus."))
        if candidate.status in (CandidateStatus.DRAFT, CandidateStatus.CLOSED):
            raise ActivityError(
                _("Envoyez d'abord votre inscription : les activités sont ouvertes aux dossiers soumis.")
            )
        locked = Activity.objects.select_for_update().select_related("territory").get(pk=activity.pk)
        if locked.status != ActivityStatus.PUBLISHED:
            raise ActivityError(_("Cette activité est annulée."))
        if timezone.now() > locked.registration_deadline:
            raise ActivityError(_("La date limite d'inscription est passée."))
        if error := _eligibility_error(locked, candidate):
            raise ActivityError(error)
        registration = Registration.objects.filter(activity=locked, candidate=candidate).first()
        if registration is not None and registration.status != RegistrationStatus.CANCELLED:
            raise ActivityError(_("Vous êtes déjà inscrit·e à cette activité."))
        taken = locked.registrations.filter(status=RegistrationStatus.REGISTERED).count()
        seat = taken < locked.capacity
        status = RegistrationStatus.REGISTERED if seat else RegistrationStatus.WAITING
        waiting_since = None if seat else timezone.now()
        before = registration.status if registration else ""
        if registration is None:
            registration = Registration.objects.create(
                activity=locked, candidate=candidate, status=status, waiting_since=waiting_since
            )
        else:
            registration.status, registration.waiting_since = status, waiting_since
            registration.attended = registration.reminded_at = None
            registration.save(update_fields=["status", "waiting_since", "attended", "reminded_at", "updated_at"])
        code = RegistrationEvent.Code.REGISTERED if seat else RegistrationEvent.Code.WAITLISTED
        _log(registration, code, from_status=before, by=by)
        registration.activity, registration.candidate = locked, candidate
        if seat:
            _email(registration, "activity_registered_candidate", with_calendar=True)
        else:
            _email(registration, "activity_waitlisted_candidate")
    logger.info("activity=%s registration=%s status=%s", locked.pk, registration.pk, status)
    return registration


def registration_cancel(*, registration: Registration, by: User | None) -> Registration:
    """The person cancels, until the activity's cancellation deadline; a freed seat goes to the
    first person of the waiting list."""
    with transaction.atomic():
        lock_candidate(registration.candidate_id)
        activity = Activity.objects.select_for_update().get(pk=registration.activity_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            raise ActivityError(_("Cette inscription est déjà annulée."))
        if timezone.now() > activity.cancellation_deadline:
            raise ActivityError(_("Il est trop tard pour annuler en ligne : écrivez à l'agent·e du territoire."))
        before = registration.status
        registration.status = RegistrationStatus.CANCELLED
        registration.waiting_since = None
        registration.save(update_fields=["status", "waiting_since", "updated_at"])
        _log(registration, RegistrationEvent.Code.CANCELLED_BY_PERSON, from_status=before, by=by)
        if before == RegistrationStatus.REGISTERED:
            _promote(activity)
    logger.info("registration=%s cancelled by the person", registration.pk)
    return registration


def attendance_record(*, registration: Registration, agent: Agent, attended: bool) -> Registration:
    """An agent of the activity's territory notes whether a registrant came, once it started.
    Attending a séjour exploratoire ticks "Région déjà explorée" in the person's maturity
    checklist, with its date and territory, and marks their timeline (candidates' service)."""
    with transaction.atomic():
        candidate = lock_candidate(registration.candidate_id)  # the platform's order: the file first
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("activity__territory")
            .get(pk=registration.pk)
        )
        activity = registration.activity
        if not _agent_may_run(agent, activity.territory):
            raise ActivityError(_("Vous ne pouvez noter les présences que pour vos territoires."))
        if activity.status != ActivityStatus.PUBLISHED or registration.status != RegistrationStatus.REGISTERED:
            raise ActivityError(_("Seules les personnes inscrites à une activité maintenue ont une présence à noter."))
        if activity.starts_at > timezone.now():
            raise ActivityError(_("Les présences se notent une fois l'activité commencée."))
        registration.attended = attended
        registration.attendance_recorded_at = timezone.now()
        registration.attendance_recorded_by = agent
        registration.save(update_fields=["attended", "attendance_recorded_at", "attendance_recorded_by", "updated_at"])
        code = RegistrationEvent.Code.ATTENDED if attended else RegistrationEvent.Code.ABSENT
        _log(registration, code, from_status=registration.status, by=agent.user)
        if attended and activity.kind == ActivityKind.EXPLORATORY_STAY and candidate is not None:
            candidate_region_explored(
                candidate=candidate,
                territory=activity.territory,
                on=timezone.localdate(activity.starts_at),
                by=agent.user,
            )
    return registration


def registrations_remind(*, now=None) -> int:
    """Hourly: remind the registrants of the activities that start within REMINDER_BEFORE,
    once each (reminded_at, and the outbox key). Safe to run twice at once."""
    now = now or timezone.now()
    due = Registration.objects.filter(
        status=RegistrationStatus.REGISTERED,
        reminded_at__isnull=True,
        activity__status=ActivityStatus.PUBLISHED,
        activity__starts_at__gt=now,
        activity__starts_at__lte=now + REMINDER_BEFORE,
    )
    sent = 0
    for pk in list(due.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            registration = (
                due.select_for_update(of=("self",))
                .select_related("activity__territory", "candidate")
                .filter(pk=pk)
                .first()
            )
            if registration is None:
                continue
            registration.reminded_at = now
            registration.save(update_fields=["reminded_at", "updated_at"])
            _email(registration, "activity_reminder_candidate", with_calendar=True)
            sent += 1
    if sent:
        logger.info("registrations_remind sent=%s", sent)
    return sent


def registrations_forget(*, candidate: Candidate) -> int:
    """The person leaves the platform (candidates' file_anonymizing, in its transaction, the file
    locked): their registrations go, with their log and the emails about them, and the seats they
    held go to the waiting lists. Returns how many outbox rows went."""
    registrations = Registration.objects.filter(candidate=candidate)
    activity_ids = list(registrations.values_list("activity_id", flat=True))
    activities = list(Activity.objects.select_for_update().filter(pk__in=activity_ids).order_by("pk"))
    forgotten = outbox_forget(refs={"registration": list(registrations.values_list("pk", flat=True))})
    registrations.delete()
    for activity in activities:
        _promote(activity)
    return forgotten


__all__ = [
    "REMINDER_BEFORE",
    "ActivityError",
    "activity_cancel",
    "activity_publish",
    "activity_update",
    "attendance_record",
    "registration_cancel",
    "registration_create",
    "registrations_forget",
    "registrations_remind",
]
