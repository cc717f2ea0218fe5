"""The statistics' figures computed from the live tables with aggregate queries (GROUP BY and
COUNT ... FILTER); none loops over candidates in Python. This is the reference: the page reads
the rollups (stats.selectors), which stats.rollups builds from the expressions here, and the tests
check that both give every figure alike.

Filters (all optional): `date_from`/`date_to` (inclusive days), `region` (a Region), and
`profile_kind`. What the period applies to is said in each function's docstring.
"""

import contextlib
import datetime
import statistics

from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from candidates.models import (
    Candidate,
    CandidateStatus,
    CandidateTarget,
    MaturityAssessment,
    years_ago,
)
from referrals.models import AWAITING_ANSWER, FollowUp, FollowUpStep, Referral, ReferralStatus
from territories.models import Region

from .activities import activities_by_region
from .forms import day_bounds
from .statements import kept_rows
from .tables import (
    FUNNEL_STEPS,
    Table,
    acceptance_regions_table,
    acceptance_territories_table,
    declines_table,
    funnel_table,
    ratio,
    referral_row,
    registrations_table,
    retention_table,
)


def submitted_candidates(*, date_from, date_to, region, profile_kind):
    """Candidates whose registration was submitted in the period (the cohort), of that profile,
    with a target territory in the region."""
    start, end = day_bounds(date_from, date_to)
    qs = Candidate.objects.filter(submitted_at__isnull=False)
    if start:
        qs = qs.filter(submitted_at__gte=start)
    if end:
        qs = qs.filter(submitted_at__lt=end)
    if profile_kind:
        qs = qs.filter(profile_kind=profile_kind)
    if region is not None:
        qs = qs.filter(Exists(CandidateTarget.objects.filter(candidate=OuterRef("pk"), territory__region=region)))
    return qs


def registrations_by_month(**filters) -> Table:
    """Registrations submitted each month of the period, by profile kind, with the immigrants'
    share (immigrants / all registrations of the month). One GROUP BY month, profile kind."""
    counts = (
        submitted_candidates(**filters)
        .annotate(month=TruncMonth("submitted_at", output_field=DateField()))
        .values("month", "profile_kind")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    by_month: dict[datetime.date, dict[str, int]] = {}
    for row in counts:  # one row per month and profile kind, not per candidate
        by_month.setdefault(row["month"], {})[row["profile_kind"]] = row["n"]
    return registrations_table(by_month)


def furthest_step() -> Case:
    """The index in FUNNEL_STEPS of the furthest step a file reached (of a Candidate queryset).
    A step counts the people who reached it or any later one, so that a file closed or on hold
    after a step still counts for it:

    - registered: registration submitted (`submitted_at` set);
    - triaged: left the triage queue — status other than NEW, or a counsellor assigned;
    - coached: a counsellor assigned (EER coaching), or status COACHING;
    - mature: the project declared mature (`MaturityAssessment.mature_at` set);
    - referred: a referral that reached a territory (`sent_at` set; queued ones do not count);
    - accepted: a referral accepted by an agent (or status TAKEN_ON);
    - moved: a MOVED follow-up step (or status MOVED);
    - settled: a SETTLED follow-up step (or status SETTLED).

    Tested from the last step down: CASE stops at the first match, so each EXISTS runs at most
    once per row."""
    referrals = Referral.objects.filter(candidate=OuterRef("pk"))
    follow_ups = FollowUp.objects.filter(referral__candidate=OuterRef("pk"))
    reached = {
        "triaged": ~Q(status__in=(CandidateStatus.NEW, CandidateStatus.DRAFT)),
        "coached": Q(status=CandidateStatus.COACHING) | Q(counsellor__isnull=False),
        "mature": Q(Exists(MaturityAssessment.objects.filter(candidate=OuterRef("pk"), mature_at__isnull=False))),
        "referred": Q(status=CandidateStatus.REFERRED) | Q(Exists(referrals.filter(sent_at__isnull=False))),
        "accepted": Q(status=CandidateStatus.TAKEN_ON) | Q(Exists(referrals.filter(status=ReferralStatus.ACCEPTED))),
        "moved": Q(status=CandidateStatus.MOVED) | Q(Exists(follow_ups.filter(step=FollowUpStep.MOVED))),
        "settled": Q(status=CandidateStatus.SETTLED) | Q(Exists(follow_ups.filter(step=FollowUpStep.SETTLED))),
    }
    steps = [(index, key) for index, (key, _label) in enumerate(FUNNEL_STEPS) if key in reached]
    return Case(
        *(When(reached[key], then=Value(index)) for index, key in reversed(steps)),
        default=Value(0),
        output_field=IntegerField(),
    )


def funnel(**filters) -> Table:
    """How far the candidates registered in the period went (see furthest_step). Conversion: a
    step's count over the previous step's ("—" when the previous is 0). One query: each file's
    furthest step, then one GROUP BY on it."""
    by_level = dict(
        submitted_candidates(**filters)
        .annotate(level=furthest_step())
        .values("level")
        .annotate(n=Count("pk"))
        .values_list("level", "n")
        .order_by()
    )
    return funnel_table(by_level)


def answered_referrals(*, date_from, date_to, region, profile_kind):
    """Referrals that reached a territory (`sent_at`) in the period, of candidates of that
    profile, sent to a territory of the region."""
    start, end = day_bounds(date_from, date_to)
    qs = Referral.objects.filter(sent_at__isnull=False)
    if start:
        qs = qs.filter(sent_at__gte=start)
    if end:
        qs = qs.filter(sent_at__lt=end)
    if profile_kind:
        qs = qs.filter(candidate__profile_kind=profile_kind)
    if region is not None:
        qs = qs.filter(territory__region=region)
    return qs


class Median(Aggregate):
    """PostgreSQL's median (percentile_cont), of a number of seconds."""

    function = "percentile_cont"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class EpochSeconds(Func):
    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def median_hours_by(referrals, group: str) -> dict:
    """Median hours from `sent_at` to `answered_at` of the accepted and declined referrals, for
    each value of `group`. PostgreSQL computes it (percentile_cont); elsewhere one query reads the
    (group, sent, answered) triples and Python takes the medians."""
    answered = referrals.filter(
        status__in=(ReferralStatus.ACCEPTED, ReferralStatus.DECLINED), answered_at__isnull=False
    )
    if connection.vendor == "postgresql":
        rows = (
            answered.values(group)
            .annotate(median=Median(EpochSeconds(F("answered_at") - F("sent_at"))))
            .values_list(group, "median")
        )
        return {key: seconds / 3600 for key, seconds in rows}
    durations: dict = {}
    for key, sent_at, answered_at in answered.values_list(group, "sent_at", "answered_at"):
        durations.setdefault(key, []).append((answered_at - sent_at).total_seconds() / 3600)
    return {key: statistics.median(values) for key, values in durations.items()}


def _referral_counts():
    return {
        "sent": Count("pk"),
        "accepted": Count("pk", filter=Q(status=ReferralStatus.ACCEPTED)),
        "declined": Count("pk", filter=Q(status=ReferralStatus.DECLINED)),
        "expired": Count("pk", filter=Q(status=ReferralStatus.EXPIRED)),
        "awaiting": Count("pk", filter=Q(status__in=AWAITING_ANSWER)),
    }


def acceptance_by_region(**filters) -> Table:
    """Referrals sent in the period, by the region of their territory. Two queries."""
    referrals = answered_referrals(**filters)
    medians = median_hours_by(referrals, "territory__region")
    rows = referrals.values("territory__region").annotate(**_referral_counts()).order_by("territory__region")
    names = {
        r.pk: str(r) for r in Region.objects.filter(pk__in=medians.keys() | {r["territory__region"] for r in rows})
    }
    return acceptance_regions_table(
        [referral_row(names[row["territory__region"]], row, medians.get(row["territory__region"])) for row in rows]
    )


def acceptance_by_territory(**filters) -> Table:
    """Referrals sent in the period, by territory. Two queries."""
    referrals = answered_referrals(**filters)
    medians = median_hours_by(referrals, "territory")
    rows = referrals.values("territory", "territory__name").annotate(**_referral_counts()).order_by("territory__name")
    return acceptance_territories_table(
        [referral_row(row["territory__name"], row, medians.get(row["territory"])) for row in rows]
    )


def decline_reasons(**filters) -> Table:
    """Referrals sent in the period and declined, by the reason the agent chose. One query."""
    counts = dict(
        answered_referrals(**filters)
        .filter(status=ReferralStatus.DECLINED)
        .values("decline_category")
        .annotate(n=Count("pk"))
        .values_list("decline_category", "n")
    )
    return declines_table(counts)


def settlement_rows(*, date_from, date_to, region_id, profile_kind, twelve_months_ago: datetime.date) -> QuerySet:
    """settlement_and_retention's query: one row per region, its moves, settlements, moves due a
    12-month check-in (on or before `twelve_months_ago`) and those retained."""
    qs = FollowUp.objects.filter(step__in=(FollowUpStep.MOVED, FollowUpStep.SETTLED))
    if date_from:
        qs = qs.filter(occurred_on__gte=date_from)
    if date_to:
        qs = qs.filter(occurred_on__lte=date_to)
    if profile_kind:
        qs = qs.filter(referral__candidate__profile_kind=profile_kind)
    if region_id is not None:
        qs = qs.filter(referral__territory__region_id=region_id)
    same_referral = FollowUp.objects.filter(referral=OuterRef("referral"))
    checkin_12 = same_referral.filter(step=FollowUpStep.CHECKIN_12).values("occurred_on")[:1]
    closed = same_referral.filter(step=FollowUpStep.CLOSED).values("occurred_on")[:1]
    due = Q(step=FollowUpStep.MOVED, occurred_on__lte=twelve_months_ago)
    return (
        qs.annotate(checkin_12_on=Subquery(checkin_12), closed_on=Subquery(closed))
        .values("referral__territory__region")
        .annotate(
            moved=Count("pk", filter=Q(step=FollowUpStep.MOVED)),
            settled=Count("pk", filter=Q(step=FollowUpStep.SETTLED)),
            due=Count("pk", filter=due),
            retained=Count(
                "pk",
                filter=due
                & Q(checkin_12_on__isnull=False)
                & (Q(closed_on__isnull=True) | Q(closed_on__gte=F("checkin_12_on"))),
            ),
        )
        .order_by("referral__territory__region")
    )


def settlement_and_retention(*, date_from, date_to, region, profile_kind, today: datetime.date | None = None) -> Table:
    """By the region of the territory that took the person on:

    - moves: MOVED follow-up steps dated in the period;
    - settlements: SETTLED follow-up steps dated in the period;
    - 12-month retention: of the MOVED steps dated in the period *and* at least 12 months before
      `today` (the people who could have had their 12-month check-in), the share whose follow-up
      has a CHECKIN_12 step and no CLOSED step dated before that check-in. A follow-up closed on
      the day of the check-in or later counts as retained (closing after 12 months is the normal
      end). "—" when nobody moved 12 months ago.

    One query (GROUP BY region with conditional counts).
    """
    today = today or timezone.localdate()
    rows = kept_rows(
        "stats.retention",
        settlement_rows,
        date_from=date_from,
        date_to=date_to,
        region_id=region.pk if region is not None else None,
        profile_kind=profile_kind,
        twelve_months_ago=years_ago(1, today),
    )
    names = {r.pk: str(r) for r in Region.objects.filter(pk__in=[row["referral__territory__region"] for row in rows])}
    return retention_table(
        [
            [
                names[row["referral__territory__region"]],
                row["moved"],
                row["settled"],
                row["due"],
                row["retained"],
                ratio(row["retained"], row["due"]),
            ]
            for row in rows
        ]
    )


@contextlib.contextmanager
def tuned_for_statistics():
    """The statistics' queries on PostgreSQL, tuned for their shape, until the end of the
    transaction opened here (SET LOCAL):
    - no JIT compilation: their cost estimates (EXISTS in a CASE) pass jit_above_cost, and
      compiling took ~330 ms of a ~10 ms funnel query at 10,000 candidates;
    - work_mem 32 MB: the funnel and the monthly registrations group 100,000 files; with the
      default 4 MB their sorts spilled to disk (external merge) and took ~100 ms each."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '32MB'")
        yield


def all_tables(**filters) -> list[Table]:
    return [
        registrations_by_month(**filters),
        funnel(**filters),
        acceptance_by_region(**filters),
        acceptance_by_territory(**filters),
        decline_reasons(**filters),
        settlement_and_retention(**filters),
        activities_by_region(**filters),
    ]


TABLES = {
    "registrations": registrations_by_month,
    "funnel": funnel,
    "acceptance_regions": acceptance_by_region,
    "acceptance_territories": acceptance_by_territory,
    "declines": decline_reasons,
    "retention": settlement_and_retention,
    "activities": activities_by_region,
}
