"""Labels that pages written in Python (the queue's rows, the agents' cards) print on every row,
computed once per process and language: a choice's label (`get_FOO_display` builds and hashes
every label of its choices on each call) and a date in the language's DATE_FORMAT."""

import datetime

from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.translation import get_language

_LABELS: dict[tuple[str, str | None], dict[str, str]] = {}
_DATES: dict[tuple[datetime.date, str | None], str] = {}
DATES_KEPT = 5_000


def choice_labels(choices: type, language: str | None = None) -> dict[str, str]:
    """{value: label} of a TextChoices class in `language` (the active one), built once per process."""
    language = language or get_language()
    key = (choices.__qualname__, language)
    if key not in _LABELS:
        _LABELS[key] = {value: str(label) for value, label in choices.choices}
    return _LABELS[key]


def date_label(day: datetime.date) -> str:
    """`day` as `{{ day|date:"DATE_FORMAT" }}` prints it in the active language ("6 décembre 2026",
    "Dec. 6, 2026"), once per process for each day and language. A datetime must be made a local
    date first (`timezone.localdate(moment)`), as the template's filter does."""
    language = get_language()
    key = (day, language)
    label = _DATES.get(key)
    if label is None:
        if len(_DATES) >= DATES_KEPT:
            _DATES.clear()
        label = _DATES[key] = date_format(day, get_format("DATE_FORMAT"))
    return label
