"""The live tables' statements, compiled by the ORM once per process for the same arguments.

The follow-ups' and the activities' tables are read live on every visit of the statistics page
(the rollups hold neither). Building and compiling their aggregate queries (conditional counts,
correlated subqueries) took some 6.5 ms of CPU each on every visit, about two thirds of the
page's, for a statement that is the same for the same filters on the same day (issue 17). So the
SQL and parameters that the ORM compiles are kept here for each set of arguments, and a visit only
runs them: the figures are still read from the database on every visit.

`build(**arguments)` must depend on its arguments alone (the active time zone is part of the key,
for the days turned into moments), and its columns must need no conversion from the database
(ids and counts): the rows are read as the cursor gives them."""

from collections.abc import Callable

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

_KEPT: dict[tuple, tuple[str, tuple]] = {}
KEPT_MAX = 500  # sets of filters per process; a new day makes new keys, the old ones go at the cap


def kept_rows(name: str, build: Callable[..., QuerySet], **arguments) -> list[dict]:
    """The rows of `build(**arguments)` (a values() query) as dicts, its statement compiled once
    per process for these arguments. `name` says where it is built: one name, one builder."""
    key = (name, connection.alias, timezone.get_current_timezone_name(), tuple(sorted(arguments.items())))
    statement = _KEPT.get(key)
    if statement is None:
        statement = build(**arguments).query.sql_with_params()
        if len(_KEPT) >= KEPT_MAX:
            _KEPT.clear()
        _KEPT[key] = statement
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def clear() -> None:
    """Forget the statements kept so far (tests)."""
    _KEPT.clear()
