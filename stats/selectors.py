"""The statistics page's figures. Each function returns a `Table` computed with aggregate queries
(GROUP BY and COUNT ... FILTER); none loops over candidates in Python.

Filters (all optional): `date_from`/`date_to` (inclusive days), `region` (a Region), and
`profile_kind`. What the period applies to is said in each function's docstring.
"""

import contextlib
import datetime
import statistics
from dataclasses import dataclass, field

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
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from candidates.models import (
    Candidate,
    CandidateStatus,
    CandidateTarget,
    MaturityAssessment,
    ProfileKind,
    years_ago,
)
from referrals.models import AWAITING_ANSWER, DeclineReason, FollowUp, FollowUpStep, Referral, ReferralStatus
from territories.models import Region

from .forms import day_bounds


@dataclass
class Column:
    label: str
    kind: str = "int"  # text | int | pct | hours


@dataclass
class Table:
    """One figure: the rows of an accessible HTML table, a CSV/XLSX export and (`chart`) a bar
    chart of the columns `chart` names, labelled by the first column."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    chart: list[int] = field(default_factory=list)
    note: str = ""
    total_row: bool = False  # the last row sums the others: left out of the chart

    def display_rows(self) -> list[list[tuple[object, str]]]:
        return [
            [(value, display(value, column.kind)) for value, column in zip(row, self.columns, strict=True)]
            for row in self.rows
        ]


def display(value, kind: str) -> str:
    if value is None:
        return "—"  # a division by zero, or no data for a median
    if kind == "pct":
        return f"{formats.number_format(value * 100, 1)} %"
    if kind == "hours":
        return formats.number_format(value, 1)
    return str(value)


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


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
    kinds = [value for value, _label in ProfileKind.choices]
    by_month: dict[datetime.date, dict[str, int]] = {}
    for row in counts:  # one row per month and profile kind, not per candidate
        by_month.setdefault(row["month"], {})[row["profile_kind"]] = row["n"]
    table = Table(
        key="registrations",
        title=_("Inscriptions par mois et par profil"),
        columns=[
            Column(_("Mois"), "text"),
            *(Column(label) for _value, label in ProfileKind.choices),
            Column(_("Profil non précisé")),
            Column(_("Total")),
            Column(_("Part des personnes immigrantes"), "pct"),
        ],
        chart=[1, 2, 3],
    )
    for month, n in by_month.items():
        total = sum(n.values())
        table.rows.append(
            [
                f"{month:%Y-%m}",
                *(n.get(kind, 0) for kind in kinds),
                n.get("", 0),
                total,
                ratio(n.get(ProfileKind.IMMIGRANT, 0), total),
            ]
        )
    if table.rows:
        totals = [sum(row[i] for row in table.rows) for i in range(1, len(kinds) + 3)]
        immigrants = totals[kinds.index(ProfileKind.IMMIGRANT)]
        table.rows.append([str(_("Total")), *totals, ratio(immigrants, totals[-1])])
        table.total_row = True
    return table


def funnel(**filters) -> Table:
    """How far the candidates registered in the period went. A step counts the people who reached
    it or any later one (so that a file closed or on hold after a step still counts for it):

    - registered: registration submitted (`submitted_at` set);
    - triaged: left the triage queue — status other than NEW, or a counsellor assigned;
    - coached: a counsellor assigned (EER coaching), or status COACHING;
    - mature: the project declared mature (`MaturityAssessment.mature_at` set);
    - referred: a referral that reached a territory (`sent_at` set; queued ones do not count);
    - accepted: a referral accepted by an agent (or status TAKEN_ON);
    - moved: a MOVED follow-up step (or status MOVED);
    - settled: a SETTLED follow-up step (or status SETTLED).

    Conversion: a step's count over the previous step's ("—" when the previous is 0). One query.
    """
    referrals = Referral.objects.filter(candidate=OuterRef("pk"))
    follow_ups = FollowUp.objects.filter(referral__candidate=OuterRef("pk"))
    steps = [
        ("registered", _("Inscrit·e·s"), None),
        ("triaged", _("Trié·e·s"), ~Q(status__in=(CandidateStatus.NEW, CandidateStatus.DRAFT))),
        ("coached", _("Accompagné·e·s par EER"), Q(status=CandidateStatus.COACHING) | Q(counsellor__isnull=False)),
        (
            "mature",
            _("Projet mûr"),
            Q(Exists(MaturityAssessment.objects.filter(candidate=OuterRef("pk"), mature_at__isnull=False))),
        ),
        (
            "referred",
            _("Orienté·e·s"),
            Q(status=CandidateStatus.REFERRED) | Q(Exists(referrals.filter(sent_at__isnull=False))),
        ),
        (
            "accepted",
            _("Accepté·e·s par un territoire"),
            Q(status=CandidateStatus.TAKEN_ON) | Q(Exists(referrals.filter(status=ReferralStatus.ACCEPTED))),
        ),
        (
            "moved",
            _("Installé·e·s en région"),
            Q(status=CandidateStatus.MOVED) | Q(Exists(follow_ups.filter(step=FollowUpStep.MOVED))),
        ),
        (
            "settled",
            _("Enraciné·e·s"),
            Q(status=CandidateStatus.SETTLED) | Q(Exists(follow_ups.filter(step=FollowUpStep.SETTLED))),
        ),
    ]
    # Each file's furthest step, tested from the last one down (CASE stops at the first match, so
    # each EXISTS runs at most once per row), then one GROUP BY on it; the cumulative counts are
    # sums over those (at most eight) groups.
    furthest = Case(
        *(When(q, then=Value(index)) for index, (_key, _label, q) in reversed(list(enumerate(steps))) if q is not None),
        default=Value(0),
        output_field=IntegerField(),
    )
    by_level = dict(
        submitted_candidates(**filters)
        .annotate(level=furthest)
        .values("level")
        .annotate(n=Count("pk"))
        .values_list("level", "n")
        .order_by()
    )
    counts = {
        key: sum(n for level, n in by_level.items() if level >= index) for index, (key, _l, _q) in enumerate(steps)
    }
    table = Table(
        key="funnel",
        title=_("Parcours des personnes inscrites pendant la période"),
        columns=[
            Column(_("Étape"), "text"),
            Column(_("Personnes")),
            Column(_("Conversion depuis l'étape précédente"), "pct"),
            Column(_("Part des inscrit·e·s"), "pct"),
        ],
        chart=[1],
    )
    previous = None
    for key, label, _q in steps:
        n = counts[key]
        table.rows.append(
            [str(label), n, None if previous is None else ratio(n, previous), ratio(n, counts["registered"])]
        )
        previous = n
    return table


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


REFERRAL_COLUMNS = [
    Column(_("Orientations reçues")),
    Column(_("Acceptées")),
    Column(_("Refusées")),
    Column(_("Expirées")),
    Column(_("En attente ou à l'étude")),
    Column(_("Taux d'acceptation"), "pct"),
    Column(_("Délai médian de réponse (heures)"), "hours"),
]


def _referral_counts():
    return {
        "sent": Count("pk"),
        "accepted": Count("pk", filter=Q(status=ReferralStatus.ACCEPTED)),
        "declined": Count("pk", filter=Q(status=ReferralStatus.DECLINED)),
        "expired": Count("pk", filter=Q(status=ReferralStatus.EXPIRED)),
        "awaiting": Count("pk", filter=Q(status__in=AWAITING_ANSWER)),
    }


def _referral_row(label: str, row: dict, median: float | None) -> list:
    """Acceptance rate: accepted / (accepted + declined), the agents' answers; an expired referral
    got no answer and is shown apart, as are those still waiting for one (pending or under review)."""
    return [
        label,
        row["sent"],
        row["accepted"],
        row["declined"],
        row["expired"],
        row["awaiting"],
        ratio(row["accepted"], row["accepted"] + row["declined"]),
        median,
    ]


def acceptance_by_region(**filters) -> Table:
    """Referrals sent in the period, by the region of their territory. Two queries."""
    referrals = answered_referrals(**filters)
    medians = median_hours_by(referrals, "territory__region")
    rows = referrals.values("territory__region").annotate(**_referral_counts()).order_by("territory__region")
    names = {
        r.pk: str(r) for r in Region.objects.filter(pk__in=medians.keys() | {r["territory__region"] for r in rows})
    }
    table = Table(
        key="acceptance_regions",
        title=_("Acceptation et délai de réponse par région"),
        columns=[Column(_("Région"), "text"), *REFERRAL_COLUMNS],
        chart=[2, 3],
    )
    table.rows = [
        _referral_row(names[row["territory__region"]], row, medians.get(row["territory__region"])) for row in rows
    ]
    return table


def acceptance_by_territory(**filters) -> Table:
    """Referrals sent in the period, by territory. Two queries."""
    referrals = answered_referrals(**filters)
    medians = median_hours_by(referrals, "territory")
    rows = referrals.values("territory", "territory__name").annotate(**_referral_counts()).order_by("territory__name")
    table = Table(
        key="acceptance_territories",
        title=_("Acceptation et délai de réponse par territoire"),
        columns=[Column(_("Territoire"), "text"), *REFERRAL_COLUMNS],
        chart=[2, 3],
    )
    table.rows = [_referral_row(row["territory__name"], row, medians.get(row["territory"])) for row in rows]
    return table


def decline_reasons(**filters) -> Table:
    """Referrals sent in the period and declined, by the reason the agent chose. One query."""
    counts = dict(
        answered_referrals(**filters)
        .filter(status=ReferralStatus.DECLINED)
        .values("decline_category")
        .annotate(n=Count("pk"))
        .values_list("decline_category", "n")
    )
    total = sum(counts.values())
    table = Table(
        key="declines",
        title=_("Motifs de refus"),
        columns=[Column(_("Motif"), "text"), Column(_("Refus")), Column(_("Part des refus"), "pct")],
        chart=[1],
    )
    for value, label in [*DeclineReason.choices, ("", _("Motif non précisé"))]:
        if value or counts.get(""):
            table.rows.append([str(label), counts.get(value, 0), ratio(counts.get(value, 0), total)])
    return table


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
    twelve_months_ago = years_ago(1, today)
    qs = FollowUp.objects.filter(step__in=(FollowUpStep.MOVED, FollowUpStep.SETTLED))
    if date_from:
        qs = qs.filter(occurred_on__gte=date_from)
    if date_to:
        qs = qs.filter(occurred_on__lte=date_to)
    if profile_kind:
        qs = qs.filter(referral__candidate__profile_kind=profile_kind)
    if region is not None:
        qs = qs.filter(referral__territory__region=region)
    same_referral = FollowUp.objects.filter(referral=OuterRef("referral"))
    checkin_12 = same_referral.filter(step=FollowUpStep.CHECKIN_12).values("occurred_on")[:1]
    closed = same_referral.filter(step=FollowUpStep.CLOSED).values("occurred_on")[:1]
    due = Q(step=FollowUpStep.MOVED, occurred_on__lte=twelve_months_ago)
    rows = (
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
    rows = list(rows)
    names = {r.pk: str(r) for r in Region.objects.filter(pk__in=[row["referral__territory__region"] for row in rows])}
    table = Table(
        key="retention",
        title=_("Installations et rétention à 12 mois par région"),
        columns=[
            Column(_("Région"), "text"),
            Column(_("Déménagements")),
            Column(_("Enracinements")),
            Column(_("Installé·e·s depuis 12 mois ou plus")),
            Column(_("Toujours suivi·e·s à 12 mois")),
            Column(_("Rétention à 12 mois"), "pct"),
        ],
        chart=[1, 2],
        note=_(
            "Rétention : parmi les personnes dont le déménagement date d'au moins 12 mois, la part qui a eu son "
            "suivi de 12 mois sans fermeture du suivi avant celui-ci."
        ),
    )
    table.rows = [
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
    return table


@contextlib.contextmanager
def without_jit():
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
    ]


TABLES = {
    "registrations": registrations_by_month,
    "funnel": funnel,
    "acceptance_regions": acceptance_by_region,
    "acceptance_territories": acceptance_by_territory,
    "declines": decline_reasons,
    "retention": settlement_and_retention,
}
