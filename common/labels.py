"""Labels, computed once. `ChoiceLabels` gives models a `get_FOO_display` that reads a label map
kept per field. Pages written in Python (the queue's rows, the agents' cards) print labels on
every row, kept per process and language: a choice's label (`choice_labels`, already translated,
where `get_FOO_display` still translates the one it returns) and a date in the language's
DATE_FORMAT (`date_label`)."""

import datetime

from django.db import models
from django.utils.dateformat import format as date_format
from django.utils.encoding import force_str
from django.utils.formats import get_format
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

_LABELS: dict[tuple[str, str | None], dict[str, str]] = {}
_DATES: dict[tuple[datetime.date, str | None], str] = {}
DATES_KEPT = 5_000
_CHOICE_LABELS: dict[models.Field, dict] = {}


class ChoiceLabels:
    """`get_FOO_display` from a {value: label} map kept per field. Django's builds the map anew on
    each call, and hashes every choice's lazy label, which translates it: 22 µs a call, 4 µs with
    the map, and the counsellor's file page makes 25. The map keeps the lazy labels, so the label
    asked for is still translated into the active language. Choices given as a callable are read
    on each call, as in Django. Put before models.Model in a model's bases."""

    def _get_FIELD_display(self, field: models.Field) -> str:
        labels = _CHOICE_LABELS.get(field)
        if labels is None:
            if not isinstance(field.choices, list | tuple):
                return super()._get_FIELD_display(field)
            labels = _CHOICE_LABELS[field] = dict(field.flatchoices)
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)


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
