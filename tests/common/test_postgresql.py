"""common.postgresql: on PostgreSQL in UTC, timestamptz values come from psycopg's own loader, and
they are the values Django's loader gives, to the microsecond and with the same tzinfo."""

import datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.test import override_settings

from accounts.models import User
from common.postgresql import read_timestamps_natively
from tests.factories import UserFactory

TEXTS = [
    "2026-12-07 07:31:02.123456+00",
    "2026-03-08 02:30:00-05",  # an hour that does not exist in Montréal, as an instant
    "2026-11-01 01:30:00-04",
    "2026-06-30 23:59:59.999999+14",
    "1970-01-01 00:00:00+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
    "2000-02-29 12:00:00+05:30",
]
SQL = "SELECT " + ", ".join(f"%s::timestamptz AS t{i}" for i in range(len(TEXTS)))


def _postgresql_or_nothing_registered() -> bool:
    if connection.vendor == "postgresql":
        return True
    connection.ensure_connection()
    read_timestamps_natively(sender=None, connection=connection)  # does nothing on another database
    return False


@pytest.mark.django_db
def test_timestamps_read_natively_are_djangos_values():
    if not _postgresql_or_nothing_registered():
        return
    with connection.cursor() as cursor:
        assert cursor.cursor.adapters.get_loader(1184, 0).__name__ == "UTCTimestamptzLoader"
        cursor.execute(SQL, TEXTS)
        ours = cursor.fetchone()
    with connection.cursor() as cursor:
        register_tzloader(datetime.UTC, cursor.cursor)  # Django's own loader, on this cursor only
        cursor.execute(SQL, TEXTS)
        djangos = cursor.fetchone()

    assert ours == djangos
    assert all(value.tzinfo is datetime.UTC for value in ours + djangos)
    assert [value.isoformat() for value in ours] == [value.isoformat() for value in djangos]


@pytest.mark.django_db
def test_a_model_reads_its_dates_in_utc():
    user = UserFactory()
    if not _postgresql_or_nothing_registered():
        return
    joined = User.objects.values_list("date_joined", flat=True).get(pk=user.pk)
    assert joined == user.date_joined and joined.tzinfo is datetime.UTC


@pytest.mark.django_db
def test_without_time_zones_django_reads_its_own_way():
    if not _postgresql_or_nothing_registered():
        return
    with override_settings(USE_TZ=False, TIME_ZONE="America/Toronto"), connection.cursor() as cursor:
        cursor.execute("SELECT '2026-12-07 12:00:00+00'::timestamptz")
        assert cursor.fetchone()[0] == datetime.datetime(2026, 12, 7, 7, 0)  # naive, Montréal's time
    with connection.cursor() as cursor:
        cursor.execute("SELECT '2026-12-07 12:00:00+00'::timestamptz")
        assert cursor.fetchone()[0] == datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.UTC)
