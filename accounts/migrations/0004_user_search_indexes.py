from django.db import migrations

# The admin searches accounts with `icontains` on these columns, which Django writes on PostgreSQL
# as UPPER("col"::text) LIKE UPPER('%…%'): GIN trigram indexes on the same expressions serve it
# (100,000 candidates have 100,000 accounts). PostgreSQL only; SQLite scans, fine at its sizes.
COLUMNS = ("email", "first_name", "last_name")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS user_{column}_trgm ON accounts_user "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS user_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_role_index")]

    operations = [migrations.RunPython(create, drop)]
