"""The activities' reads: the public calendar, an agent's activities and what an agent sees of
their registrants (only what the person's sharing consent covers)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils import timezone

from candidates.consents import sharing_covers
from candidates.models import Consent, SharedItem
from common.kept import kept
from common.statements import compiled_once
from territories.models import Agent, Region, Territory

from .models import Activity, ActivityLanguage, ActivityStatus, Registration, RegistrationStatus

KEPT = "activities"


def calendar_activities(
    *,
    region_code: str = "",
    kind: str = "",
    start: datetime.date | None = None,
    language: str = "",
    territory: Territory | None = None,
    region: Region | None = None,
) -> QuerySet[Activity]:
    """Upcoming published activities with their territory, region and seats taken: one query,
    whatever their number. `language` "fr" or "en" includes the bilingual ones."""
    activities = Activity.objects.upcoming().for_calendar().with_seats_taken()
    if territory is not None:
        activities = activities.filter(territory=territory)
    if region is not None:
        activities = activities.filter(territory__region=region)
    if region_code:
        activities = activities.filter(territory__region__code=region_code)
    if kind:
        activities = activities.filter(kind=kind)
    if start:
        midnight = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
        activities = activities.filter(ends_at__gte=midnight)
    if language:
        activities = activities.filter(Q(language=language) | Q(language=ActivityLanguage.BILINGUAL))
    return activities


def upcoming_ends() -> dict[int, datetime.datetime]:
    """{territory id: when its last published activity ends}, over the activities not over when
    read: one query when this process has no copy (common.kept, group KEPT), forgotten by every
    save or delete of an activity (activities.receivers). Most territories have none: their pages
    and Mon dossier then skip the calendar's query (a join, a count and their compiling)."""

    def build() -> dict[int, datetime.datetime]:
        rows = Activity.objects.upcoming().order_by().values_list("territory_id").annotate(last=Max("ends_at"))
        return dict(rows)

    return kept(KEPT, "ends", build, per_language=False)


def any_upcoming(territory_ids: Iterable[int]) -> bool:
    """Whether one of these territories has a published activity not over yet."""
    ends, now = upcoming_ends(), timezone.now()
    return any((end := ends.get(pk)) is not None and end >= now for pk in territory_ids)


def agent_activities(agent: Agent) -> QuerySet[Activity]:
    """The activities of the agent's territories, upcoming first then the past ones."""
    return Activity.objects.of_agent(agent).for_calendar().with_seats_taken().order_by("-starts_at", "-pk")


def agent_activity(agent: Agent, pk: int) -> Activity | None:
    """One activity of the agent's territories, or None (a 404 for any other one)."""
    if not agent.is_active:
        return None
    return Activity.objects.of_agent(agent).for_calendar().filter(pk=pk).first()


@dataclass(frozen=True)
class Registrant:
    """A registrant as the activity's agent sees them: the name to welcome them (the person was
    told at registration), the summary and contact only as far as their sharing consent goes."""

    registration: Registration
    summary: bool
    contact: bool


def registrants(activity: Activity) -> list[Registrant]:
    """The seats, then the waiting list in its order (two queries: rows and consents)."""
    rows = (
        activity.registrations.active()
        .select_related("candidate")
        .prefetch_related(Prefetch("candidate__consents", queryset=Consent.objects.select_related("text")))
        .order_by("status", "waiting_since", "pk")
    )
    seen = []
    for registration in rows:
        covers = sharing_covers(registration.candidate)
        seen.append(
            Registrant(
                registration=registration,
                summary=SharedItem.SUMMARY in covers,
                contact=SharedItem.CONTACT_AFTER_ACCEPTANCE in covers,
            )
        )
    return seen


def candidate_registrations(candidate) -> QuerySet[Registration]:
    """The person's registrations that are not cancelled, soonest activity first (Mon dossier)."""
    return compiled_once(
        Registration.objects.filter(candidate=candidate)
        .exclude(status=RegistrationStatus.CANCELLED, activity__status=ActivityStatus.PUBLISHED)
        .select_related("activity__territory__region")
        .order_by("activity__starts_at", "pk"),
        "my_file.registrations",
    )
