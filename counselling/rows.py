"""The queue's rows, their text computed and their HTML written once, in Python. A Django template
spends some 20 µs on each variable, tag and filter it renders (an escape, a localize, a context
lookup each); 50 rows of some 25 each were half of a queue page's time (11 of 22 ms at 100,000
files, issue 17), and `get_FOO_display` translates its label on each call. So
`rows_html` writes the `<tr>`s with `html.escape` (what Django's `escape` calls), and
counselling/_queue_results.html prints them: the markup the row template wrote (compared row for
row on five URLs in both languages when it went); tests/counselling/test_rows.py holds escaping,
links, badges and labels."""

import datetime
from dataclasses import dataclass, field
from html import escape

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.translation import get_language, gettext

from candidates.choices import CandidateStatus, ProfileKind
from candidates.models import AGE_MAX, AGE_MIN, Candidate, years_ago
from common.labels import choice_labels


class _Translated:
    """One of timesince's TIME_STRINGS, translated once per count for a page: "3 jours" is looked
    up in the catalogue once, not for each row that waits three days (a third of timesince)."""

    def __init__(self, lazy):
        self._lazy = lazy
        self._done: dict[int, str] = {}

    def __mod__(self, params: dict) -> str:
        num = params["num"]
        if num not in self._done:
            self._done[num] = self._lazy % params
        return self._done[num]


# (ISO date and time with its offset, time zone's name, language, format) → the formatted title.
_TITLES: dict[tuple[str, str | None, str, str], str] = {}
TITLES_KEPT = 20_000


def waiting_title(local: datetime.datetime, iso: str, datetime_format: str) -> str:
    """`date_format(local, datetime_format)` (~20 µs a row, a twelfth of the rows' time), once per
    process for each moment, language and format: the counsellors' lists show the same files
    page after page. Keyed by the moment as written with its offset (`iso`), not the datetime
    (equal instants in two time zones compare equal)."""
    key = (iso, local.tzname(), get_language(), datetime_format)
    title = _TITLES.get(key)
    if title is None:
        if len(_TITLES) >= TITLES_KEPT:
            _TITLES.clear()
        title = _TITLES[key] = date_format(local, datetime_format)
    return title


@dataclass(slots=True)
class QueueRow:
    pk: int
    name: str
    email: str
    outside_age_range: bool
    profile: str
    status: str
    counsellor: str
    targets_undecided: bool
    can_take_on: bool
    targets: list[tuple[str, str]] = field(default_factory=list)  # (territory, region)
    waiting_iso: str = ""
    waiting_title: str = ""
    waiting_for: str = ""
    overdue: bool = False
    possible_duplicates: list = field(default_factory=list)


def queue_rows(
    candidates: list[Candidate],
    *,
    targets: dict[int, list[tuple[str, str]]],
    now: datetime.datetime,
    cutoff: datetime.datetime,
) -> list[QueueRow]:
    """One QueueRow per candidate of the page (CandidateQuerySet.for_queue, `waiting_since`
    annotated), with its target territories' names (selectors.target_names)."""
    profiles, statuses = choice_labels(ProfileKind), choice_labels(CandidateStatus)
    # Candidate.is_outside_age_range, with today's bounds once a page (the property reads the date
    # for each file): born after `youngest`, under 18; on or before `oldest`, 36 or more.
    today = timezone.localdate(now)
    youngest, oldest = years_ago(AGE_MIN, today), years_ago(AGE_MAX + 1, today)
    datetime_format = get_format("DATETIME_FORMAT")
    time_strings = {name: _Translated(text) for name, text in TIME_STRINGS.items()}
    rows = []
    for candidate in candidates:
        born = candidate.date_of_birth
        row = QueueRow(
            pk=candidate.pk,
            name=candidate.full_name,
            email=candidate.email,
            outside_age_range=born is not None and (born > youngest or born <= oldest),
            profile=profiles.get(candidate.profile_kind, "") or "—",
            status=statuses.get(candidate.status, candidate.status),
            counsellor=f"{candidate.counsellor_first_name or ''} {candidate.counsellor_last_name or ''}".strip() or "—",
            targets_undecided=candidate.targets_undecided,
            can_take_on=candidate.status == CandidateStatus.NEW and not candidate.counsellor_id,
            targets=targets.get(candidate.pk, []),
            possible_duplicates=getattr(candidate, "possible_duplicates", []),
        )
        since = getattr(candidate, "waiting_since", None)
        if since:
            local = timezone.localtime(since)
            row.waiting_iso = local.isoformat()
            row.waiting_title = waiting_title(local, row.waiting_iso, datetime_format)
            row.waiting_for = timesince(since, now, time_strings=time_strings)
            row.overdue = since < cutoff
        rows.append(row)
    return rows


def _target_cell(row: QueueRow, undecided_label: str) -> str:
    if not row.targets:
        return escape(undecided_label) if row.targets_undecided else "—"
    items = "".join(
        f'<li>{escape(territory)} <span class="text-body-secondary small">({escape(region)})</span></li>'
        for territory, region in row.targets
    )
    return f'<ol class="list-unstyled mb-0">{items}</ol>'


def _duplicates(row: QueueRow, files_url: str) -> str:
    if not row.possible_duplicates:
        return ""
    title = escape(gettext("Même courriel, même téléphone, ou mêmes nom et date de naissance"))
    merge = escape(gettext("fusionner"))
    links = ",".join(
        f'<a href="{files_url}{other.pk}/" title="{title}">{escape(other.full_name)} (n° {other.pk})</a> '
        f'<a href="{files_url}{min(other.pk, row.pk)}/fusionner/{max(other.pk, row.pk)}/">{merge}</a>'
        for other in row.possible_duplicates
    )
    badge = escape(gettext("Doublon possible"))
    return f'<div class="queue-duplicates small"><span class="badge text-bg-warning">{badge}</span> {links}</div>'


def rows_html(
    rows: list[QueueRow], *, selectable: bool, files_url: str, take_on_url: str, back_query: str, waiting_limit: int
) -> SafeString:
    """The `<tbody>`'s rows: with a checkbox each when `selectable` ("À trier"'s bulk assignment),
    "Prendre en charge" for a new file nobody has taken on, links to the file and its "Pause /
    fermer" page (`files_url` ends with "/", `back_query` is "next=<this page>", urlencoded)."""
    outside = escape(gettext("hors 18–35"))
    overdue = escape(gettext("+%(days)s j ouvr.") % {"days": waiting_limit})
    take_on, status = escape(gettext("Prendre en charge")), escape(gettext("Pause / fermer"))
    undecided = gettext("Pas encore choisi")
    back_query, files_url, take_on_url = escape(back_query), escape(files_url), escape(take_on_url)
    html = []
    for row in rows:
        name = escape(row.name)
        cells = []
        if selectable:
            label = escape(gettext("Sélectionner %(name)s") % {"name": row.name})
            cells.append(
                f'<td><input class="form-check-input" type="checkbox" name="candidates" value="{row.pk}" '
                f'id="select-{row.pk}" aria-label="{label}"></td>'
            )
        badge = f' <span class="badge text-bg-warning">{outside}</span>' if row.outside_age_range else ""
        cells.append(
            f'<td><a href="{files_url}{row.pk}/">{name}</a>{badge}{_duplicates(row, files_url)}'
            f'<div class="small text-body-secondary">{escape(row.email)}</div></td>'
        )
        cells.append(f"<td>{escape(row.profile)}</td><td>{_target_cell(row, undecided)}</td>")
        cells.append(f"<td>{escape(row.status)}</td><td>{escape(row.counsellor)}</td>")
        if row.waiting_iso:
            late = f' <span class="badge text-bg-danger queue-overdue">{overdue}</span>' if row.overdue else ""
            cells.append(
                f'<td><time datetime="{escape(row.waiting_iso)}" title="{escape(row.waiting_title)}">'
                f"{escape(row.waiting_for)}</time>{late}</td>"
            )
        else:
            cells.append("<td>—</td>")
        button = (
            f'<button type="submit" class="btn btn-outline-primary btn-sm text-nowrap" formaction="{take_on_url}" '
            f'formnovalidate name="candidate" value="{row.pk}">{take_on}</button> '
            if row.can_take_on
            else ""
        )
        cells.append(
            f'<td>{button}<a class="btn btn-link btn-sm text-nowrap" href="{files_url}{row.pk}/statut/?{back_query}">'
            f"{status}</a></td>"
        )
        html.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe("\n".join(html))  # noqa: S308 — every value above is escaped
