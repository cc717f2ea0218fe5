"""The activities' figures, by region of the activity: registrants, attendees, and how many
attendees were later referred, accepted by a territory and settled. Read live (one GROUP BY over
the registrations, with EXISTS for what came after): the registrations are few next to the files.

The period applies to the activity's start; the profile to the person; the region to the
activity's territory. People are counted once per region, whatever the number of activities."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from activities.models import ActivityStatus, Registration, RegistrationStatus
from candidates.models import CandidateStatus
from referrals.models import Referral, ReferralStatus
from territories.models import Region

from .forms import day_bounds
from .statements import kept_rows
from .tables import Column, Table, ratio


def activity_rows(*, date_from, date_to, region_id, profile_kind) -> QuerySet:
    """activities_by_region's query: one row per region of the activities, its people counted once each."""
    registrations = Registration.objects.filter(
        status=RegistrationStatus.REGISTERED, activity__status=ActivityStatus.PUBLISHED
    )
    start, end = day_bounds(date_from, date_to)
    if start:
        registrations = registrations.filter(activity__starts_at__gte=start)
    if end:
        registrations = registrations.filter(activity__starts_at__lt=end)
    if profile_kind:
        registrations = registrations.filter(candidate__profile_kind=profile_kind)
    if region_id is not None:
        registrations = registrations.filter(activity__territory__region_id=region_id)
    later = Referral.objects.filter(candidate=OuterRef("candidate"), sent_at__gte=OuterRef("activity__starts_at"))
    attended = Q(attended=True)
    return (
        registrations.annotate(
            referred_later=Exists(later),
            accepted_later=Exists(later.filter(status=ReferralStatus.ACCEPTED)),
        )
        .values("activity__territory__region")
        .annotate(
            people=Count("candidate", distinct=True),
            attendees=Count("candidate", distinct=True, filter=attended),
            referred=Count("candidate", distinct=True, filter=attended & Q(referred_later=True)),
            accepted=Count("candidate", distinct=True, filter=attended & Q(accepted_later=True)),
            settled=Count(
                "candidate",
                distinct=True,
                filter=attended & Q(candidate__status__in=(CandidateStatus.MOVED, CandidateStatus.SETTLED)),
            ),
        )
        .order_by("activity__territory__region")
    )


def activities_by_region(*, date_from, date_to, region, profile_kind) -> Table:
    region_id = region.pk if region is not None else None
    rows = kept_rows(
        "stats.activities",
        activity_rows,
        date_from=date_from,
        date_to=date_to,
        region_id=region_id,
        profile_kind=profile_kind,
    )
    names = {r.pk: str(r) for r in Region.objects.filter(pk__in=[row["activity__territory__region"] for row in rows])}
    table = Table(
        key="activities",
        title=_("Activités : inscriptions, présences et suites par région"),
        columns=[
            Column(_("Région"), "text"),
            Column(_("Personnes inscrites")),
            Column(_("Présentes")),
            Column(_("Orientées ensuite")),
            Column(_("Acceptées par un territoire ensuite")),
            Column(_("Installées en région")),
            Column(_("Taux de présence"), "pct"),
        ],
        chart=[1, 2],
        note=_(
            "Par région de l'activité, chaque personne comptée une fois. « Ensuite » : une orientation envoyée "
            "après le début de l'activité. « Installées » : le dossier en est au déménagement ou à l'enracinement."
        ),
    )
    table.rows = [
        [
            names[row["activity__territory__region"]],
            row["people"],
            row["attendees"],
            row["referred"],
            row["accepted"],
            row["settled"],
            ratio(row["attendees"], row["people"]),
        ]
        for row in rows
    ]
    return table
