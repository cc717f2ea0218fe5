"""The platform's PostgreSQL connections (issue 17): they prepare the statements they run again
(planning was 44 % of PostgreSQL's time in statements under load, for the same few statements on
every page), and run without PostgreSQL's JIT."""

import json

import pytest
from django.db import connection

from accounts.models import User
from tests.factories import UserFactory
from tests.pajr.test_security import run_manage


def _database_options(**env: str) -> dict:
    """settings.DATABASES["default"]["OPTIONS"] in a clean process with these variables (no .env)."""
    code = "import json; from django.conf import settings; print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    result = run_manage("shell", "-c", code, DEBUG="true", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_postgresql_statements_are_prepared_unless_turned_off():
    postgres = "postgres://nobody@127.0.0.1:1/none"  # the settings are read; nothing connects
    assert _database_options(DATABASE_URL=postgres) == {
        "options": "-c jit=off",
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
    assert "prepare_threshold" not in _database_options(DATABASE_URL=postgres, POSTGRES_PREPARE="false")
    sqlite = _database_options(DATABASE_URL="sqlite:////tmp/pajr-settings-check.sqlite3")
    assert "prepare_threshold" not in sqlite and "server_side_binding" not in sqlite


@pytest.mark.django_db
def test_a_statement_run_again_is_prepared_and_reads_each_runs_rows():
    users = UserFactory.create_batch(6)
    if connection.vendor != "postgresql":
        assert "prepare_threshold" not in connection.settings_dict.get("OPTIONS", {})
        return
    read = [User.objects.filter(pk=user.pk).values_list("email", flat=True).get() for user in users]
    assert read == [user.email for user in users]  # each run with its own id, prepared or not
    # This read's own statement (psycopg writes its parameter $1), not another read of the table.
    statement = (
        'SELECT "accounts_user"."email" AS "email" FROM "accounts_user" WHERE "accounts_user"."id" = $1 LIMIT 21'
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement = %s", [statement])
        assert cursor.fetchone()[0] == 1


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    """PostgreSQL's JIT compiled the statistics' and the queue's plans for longer than they ran."""
    if connection.vendor != "postgresql":
        assert "options" not in connection.settings_dict.get("OPTIONS", {})
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
