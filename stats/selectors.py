"""The statistics page's figures, read from the rollups (stats.models, rebuilt by stats.rollups):
a few GROUP BYs over small tables whatever the number of files. stats.direct computes the same
figures from the live tables; the tests check that both agree, filters included.

Filters (all optional): `date_from`/`date_to` (inclusive days), `region` (a Region), and
`profile_kind`, as in stats.direct."""

import datetime
import statistics

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from referrals.models import AWAITING_ANSWER, ReferralStatus
from territories.models import Region

from .activities import activities_by_region
from .direct import EpochSeconds, Median, settlement_and_retention
from .models import CohortCount, ReferralFact
from .tables import (
    Table,
    acceptance_regions_table,
    acceptance_territories_table,
    declines_table,
    funnel_table,
    referral_row,
    registrations_table,
)


def cohort(*, date_from, date_to, region, profile_kind) -> QuerySet[CohortCount]:
    """The files submitted in the period, of that profile, with a target in the region (each
    once: without a region, the rows that count every file)."""
    qs = CohortCount.objects.filter(region=region) if region is not None else CohortCount.objects.filter(region=None)
    if date_from:
        qs = qs.filter(day__gte=date_from)
    if date_to:
        qs = qs.filter(day__lte=date_to)
    if profile_kind:
        qs = qs.filter(profile_kind=profile_kind)
    return qs


def referral_facts(*, date_from, date_to, region, profile_kind) -> QuerySet[ReferralFact]:
    """The referrals that reached a territory in the period, for people of that profile, sent to
    a territory of the region."""
    qs = ReferralFact.objects.all()
    if date_from:
        qs = qs.filter(day__gte=date_from)
    if date_to:
        qs = qs.filter(day__lte=date_to)
    if profile_kind:
        qs = qs.filter(profile_kind=profile_kind)
    if region is not None:
        qs = qs.filter(region=region)
    return qs


def registrations_by_month(**filters) -> Table:
    counts = (
        cohort(**filters)
        .annotate(month=TruncMonth("day"))
        .values("month", "profile_kind")
        .annotate(total=Sum("n"))
        .order_by("month")
    )
    by_month: dict[datetime.date, dict[str, int]] = {}
    for row in counts:
        by_month.setdefault(row["month"], {})[row["profile_kind"]] = row["total"]
    return registrations_table(by_month)


def funnel(**filters) -> Table:
    by_level = dict(cohort(**filters).values("level").annotate(total=Sum("n")).values_list("level", "total").order_by())
    return funnel_table(by_level)


def _counts():
    return {
        "sent": Count("pk"),
        "accepted": Count("pk", filter=Q(status=ReferralStatus.ACCEPTED)),
        "declined": Count("pk", filter=Q(status=ReferralStatus.DECLINED)),
        "expired": Count("pk", filter=Q(status=ReferralStatus.EXPIRED)),
        "awaiting": Count("pk", filter=Q(status__in=AWAITING_ANSWER)),
    }


def median_hours_by(facts: QuerySet[ReferralFact], group: str) -> dict:
    """Median answer time in hours, by `group`: percentile_cont on PostgreSQL; elsewhere the
    answer times are read (one query) and Python takes the medians."""
    answered = facts.filter(answer_time__isnull=False)
    if connection.vendor == "postgresql":
        rows = (
            answered.values(group).annotate(median=Median(EpochSeconds(F("answer_time")))).values_list(group, "median")
        )
        return {key: seconds / 3600 for key, seconds in rows}
    durations: dict = {}
    for key, answer_time in answered.values_list(group, "answer_time"):
        durations.setdefault(key, []).append(answer_time.total_seconds() / 3600)
    return {key: statistics.median(values) for key, values in durations.items()}


def acceptance_by_region(**filters) -> Table:
    facts = referral_facts(**filters)
    medians = median_hours_by(facts, "region")
    rows = list(facts.values("region").annotate(**_counts()).order_by("region"))
    names = {r.pk: str(r) for r in Region.objects.filter(pk__in=[row["region"] for row in rows])}
    return acceptance_regions_table(
        [referral_row(names[row["region"]], row, medians.get(row["region"])) for row in rows]
    )


def acceptance_by_territory(**filters) -> Table:
    facts = referral_facts(**filters)
    medians = median_hours_by(facts, "territory")
    rows = facts.values("territory", "territory__name").annotate(**_counts()).order_by("territory__name")
    return acceptance_territories_table(
        [referral_row(row["territory__name"], row, medians.get(row["territory"])) for row in rows]
    )


def decline_reasons(**filters) -> Table:
    counts = dict(
        referral_facts(**filters)
        .filter(status=ReferralStatus.DECLINED)
        .values("decline_category")
        .annotate(total=Count("pk"))
        .values_list("decline_category", "total")
        .order_by()
    )
    return declines_table(counts)


NO_FILTERS = {"date_from": None, "date_to": None, "region": None, "profile_kind": ""}


def all_tables(**filters) -> list[Table]:
    return [function(**filters) for function in TABLES.values()]


TABLES = {
    "registrations": registrations_by_month,
    "funnel": funnel,
    "acceptance_regions": acceptance_by_region,
    "acceptance_territories": acceptance_by_territory,
    "declines": decline_reasons,
    # The follow-up steps are few (only people taken on have them): read live.
    "retention": settlement_and_retention,
    # The registrations to activities are few: read live too.
    "activities": activities_by_region,
}
# The tables computed from the rollups alone (kept in the cache until the next rebuild).
ROLLUP_TABLES = ("registrations", "funnel", "acceptance_regions", "acceptance_territories", "declines")
