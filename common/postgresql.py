"""PostgreSQL's `timestamptz` values read by psycopg's own loader, in C, when the connection's
time zone is UTC, as Django sets it.

Django registers a loader of its own (django.db.backends.postgresql.psycopg_any.BaseTzLoader)
that calls psycopg's loader and then puts Django's time zone on the result: a Python call and a
`replace` for every date and time read. psycopg's loader already returns it in the connection's
time zone; when that zone is UTC, its tzinfo is `datetime.UTC`, the one Django would put, so the
result is the same object for the same text. Under the working day's load that Python step was
2 % of the web's CPU, a tenth of reading a queue page (issue 17). On any other setting (a
DATABASES TIME_ZONE, USE_TZ off, a session whose zone is not UTC) Django's loader stays.

`tests/common/test_postgresql.py` compares both loaders' results on the same values."""

import datetime
import functools

from django.db.backends.signals import connection_created

TIMESTAMPTZ = "timestamptz"


@functools.cache
def _utc_loader_class():
    """A class whose instances are psycopg's own text loader for timestamptz (the C one, with
    psycopg-binary, which cannot be subclassed), with the `timezone` attribute that Django's
    create_cursor compares with its own before it registers its loader on the cursor: equal, it
    leaves this one in place."""
    import psycopg
    from psycopg.pq import Format

    psycopgs = psycopg.adapters.get_loader(psycopg.adapters.types[TIMESTAMPTZ].oid, Format.TEXT)

    class UTCTimestamptzLoader:
        timezone = datetime.UTC
        format = psycopgs.format

        def __new__(cls, oid, context=None):
            return psycopgs(oid, context)

    return UTCTimestamptzLoader


def read_timestamps_natively(sender, connection, **kwargs) -> None:
    """connection_created: on a PostgreSQL connection in UTC, timestamptz through psycopg's loader."""
    if connection.vendor != "postgresql" or connection.timezone is not datetime.UTC:
        return
    if connection.connection.info.parameter_status("TimeZone") != "UTC":
        return
    connection.connection.adapters.register_loader(TIMESTAMPTZ, _utc_loader_class())


def connect() -> None:
    connection_created.connect(read_timestamps_natively, dispatch_uid="common.postgresql.timestamps")
