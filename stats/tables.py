"""The statistics' tables: titles, columns and rows, built from counts. Two sources give the
counts — the rollups (stats.selectors, what the page shows) and the live tables (stats.direct,
the reference the rollups are checked against) — and both build their tables here, so that a
figure cannot differ by its presentation."""

import datetime
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from candidates.models import ProfileKind
from referrals.models import DeclineReason


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

    # Past this many columns the table takes the section's full width, its chart above it: beside
    # the chart, eight columns ran past theirs at 1,280 px ("Median time to answer (hours)").
    SIDE_BY_SIDE_COLUMNS = 6

    @property
    def wide(self) -> bool:
        return len(self.columns) > self.SIDE_BY_SIDE_COLUMNS

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


# The funnel's steps, in order: (key, label). stats.direct says what reaching each one means.
FUNNEL_STEPS = [
    ("registered", _("Inscrit·e·s")),
    ("triaged", _("Trié·e·s")),
    ("coached", _("Accompagné·e·s par EER")),
    ("mature", _("Projet mûr")),
    ("referred", _("Orienté·e·s")),
    ("accepted", _("Accepté·e·s par un territoire")),
    ("moved", _("Installé·e·s en région")),
    ("settled", _("Enraciné·e·s")),
]


def registrations_table(by_month: dict[datetime.date, dict[str, int]]) -> Table:
    """`by_month`: {first day of the month: {profile kind: registrations}}, in month order."""
    kinds = [value for value, _label in ProfileKind.choices]
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
    for month, n in sorted(by_month.items()):
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


def funnel_table(by_level: dict[int, int]) -> Table:
    """`by_level`: {index of the furthest step reached: files}. A step counts the files that
    reached it or any later one; conversion is a step's count over the previous step's."""
    counts = [sum(n for level, n in by_level.items() if level >= index) for index in range(len(FUNNEL_STEPS))]
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
    for (_key, label), n in zip(FUNNEL_STEPS, counts, strict=True):
        table.rows.append([str(label), n, None if previous is None else ratio(n, previous), ratio(n, counts[0])])
        previous = n
    return table


REFERRAL_COLUMNS = [
    Column(_("Orientations reçues")),
    Column(_("Acceptées")),
    Column(_("Refusées")),
    Column(_("Expirées")),
    Column(_("En attente ou à l'étude")),
    Column(_("Taux d'acceptation"), "pct"),
    Column(_("Délai médian de réponse (heures)"), "hours"),
]


def referral_row(label: str, row: dict, median: float | None) -> list:
    """`row`: sent, accepted, declined, expired, awaiting. Acceptance rate: accepted /
    (accepted + declined), the agents' answers; an expired referral got no answer and is shown
    apart, as are those still waiting for one (pending or under review)."""
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


def acceptance_regions_table(rows: list[list]) -> Table:
    table = Table(
        key="acceptance_regions",
        title=_("Acceptation et délai de réponse par région"),
        columns=[Column(_("Région"), "text"), *REFERRAL_COLUMNS],
        chart=[2, 3],
    )
    table.rows = rows
    return table


def acceptance_territories_table(rows: list[list]) -> Table:
    table = Table(
        key="acceptance_territories",
        title=_("Acceptation et délai de réponse par territoire"),
        columns=[Column(_("Territoire"), "text"), *REFERRAL_COLUMNS],
        chart=[2, 3],
    )
    table.rows = rows
    return table


def declines_table(counts: dict[str, int]) -> Table:
    """`counts`: {decline category ("" when none was given): declined referrals}."""
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


def retention_table(rows: list[list]) -> Table:
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
    table.rows = rows
    return table
