"""Statements planned for their values: `with planned_for_values(): …` runs the statements inside
without a prepared statement, so that PostgreSQL plans each with its parameters' values.

The settings have psycopg prepare a statement run a fifth time on a connection (prepare_threshold,
pajr/settings.py): planning was 44 % of PostgreSQL's time under load. PostgreSQL then keeps one
plan made without the values when it costs no more than the plans made with them, which is right
for a statement whose best plan does not depend on them. A filtered list's does: the queue lists
files in submission order, and the plan kept for a search walks the files in that order, each
checked against the words, until the page is full. That is the right plan for a common name (the
first fifty "Tremblay" are near the start); for a person's first and last names, or a name no
file holds, it walks every file: 92 and 216 ms at 100,000 files, 1.2 s at 1,000,000 (issue 17).
An arrival date that few files have, the same (157 ms at 100,000). Planned with the values,
PostgreSQL finds those few files through their indexes (the trigram indexes, arrival_date). The
planning costs 0.5–1 ms a statement, so the queue's tabs without a filter stay prepared
(counselling.selectors.QueuePage.get).

Off PostgreSQL, or on a connection that prepares nothing, this changes nothing. The threshold is
the connection's: it is set back on the way out, whatever happens inside."""

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def planned_for_values(using: str = DEFAULT_DB_ALIAS):
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    psycopg_connection = connection.connection
    threshold = psycopg_connection.prepare_threshold
    psycopg_connection.prepare_threshold = None  # psycopg then neither prepares nor uses a prepared one
    try:
        yield
    finally:
        psycopg_connection.prepare_threshold = threshold
