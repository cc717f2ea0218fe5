"""Write the bench's rows with PostgreSQL's COPY, the fast path for seeding 1,000,000 candidates.

`bulk_create` compiles one INSERT … VALUES of 2,000 rows at a time: Django builds and quotes a
parameter for every column of every row, which is most of the seeding's time past 100,000
candidates. COPY streams the same values to the server in its own format. The values are those
`bulk_create` would write — each field's `pre_save` (with `auto_now` switched off by the seeding)
and `get_db_prep_save` — so the rows are the same either way; `tests/devtools/test_bench_copy.py`
compares them. Other databases (SQLite, the default) keep `bulk_create`.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

# Fields whose Python value psycopg writes as Django would: no conversion needed. The seeding gives
# every value (dates aware, auto_now off), so pre_save has nothing to add for them either.
PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.CharField,
    models.DateField,
    models.DateTimeField,
    models.EmailField,
    models.ForeignKey,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.TextField,
    models.UUIDField,
)


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.generated]


def _plain(field: models.Field) -> bool:
    return type(field) in PLAIN_FIELDS and not getattr(field, "auto_now", False)


def rows_copy(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert the unsaved instances, primary keys given, with COPY (PostgreSQL only)."""
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the thread-local proxy
    fields = _columns(model)
    plain = [(f.attname, _plain(f), f) for f in fields]
    quote = db.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    with db.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            values = obj.__dict__
            copy.write_row(
                [
                    values[attname] if is_plain else field.get_db_prep_save(field.pre_save(obj, add=True), db)
                    for attname, is_plain, field in plain
                ]
            )


def copy_available() -> bool:
    return connection.vendor == "postgresql"


def rows_insert(model: type[models.Model], objs: Sequence[models.Model], *, batch_size: int, copy: bool) -> None:
    """COPY when asked (PostgreSQL), bulk_create otherwise."""
    if not objs:
        return
    if copy:
        rows_copy(model, objs)
    else:
        model.objects.bulk_create(objs, batch_size=batch_size)


@contextmanager
def gin_indexes_built_after(copy: bool) -> Iterator[None]:
    """With COPY, the GIN indexes (the searches' trigrams: candidates, users) are dropped while the
    rows go in and built again whole after them, from the definitions PostgreSQL gives
    (pg_indexes). Kept up to date row by row, they slowed the seeding of 1,000,000 candidates and
    were left larger and slower to search than the index a migration builds at once (93 MB and
    627 pages read for one email, against 72 MB and 151). Inside a transaction (a test seeding a
    few files) they stay: its deferred constraint checks forbid CREATE INDEX there."""
    if not copy or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND indexdef LIKE '% USING gin %' ORDER BY indexname"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                cursor.execute(definition)
