"""The search (CandidateQuerySet.search) looks for each word in the first name, the last name and
the email joined by spaces: one GIN trigram index on that text serves every word of a search in a
single scan, where the three indexes of migration 0004 (one a column) each listed every file
holding one word before PostgreSQL intersected the lists. At 1,000,000 files a person's first and
last names took 28 ms a page that way (issue 17). PostgreSQL only, as 0004; built CONCURRENTLY, so
that signing up and the queue's writes go on while it is built."""

from django.db import migrations

# The same text, the same way, as CandidateQuerySet.search writes it (icontains: UPPER(…::text)).
# fastupdate off: a GIN index otherwise keeps new entries in a pending list (up to 4 MB) that
# every search reads whole until autovacuum merges it; each change of a file (a status, a
# counsellor) adds its row's trigrams there. 9.4 ms of a search at 1,000,000 files with a full
# list, 0.5 ms without; written straight into the index, a change costs ~0.05 ms more.
CREATE = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS candidate_person_trgm ON candidates_candidate USING gin "
    "((UPPER((first_name || ' ' || last_name || ' ' || email)::text)) gin_trgm_ops) WITH (fastupdate = off)"
)
OLD_COLUMNS = ("first_name", "last_name", "email")


def one_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(CREATE)
    for column in OLD_COLUMNS:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS candidate_{column}_trgm")
    # The planner's statistics of the indexed text, now rather than at autovacuum's next ANALYZE:
    # without them it guesses that a common name is rare, and sorts thousands of files for a page
    # it would find by walking the submission order.
    schema_editor.execute("ANALYZE candidates_candidate")


def three_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in OLD_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS candidate_{column}_trgm ON candidates_candidate "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS candidate_person_trgm")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("candidates", "0021_coaching_consent_on_the_file")]

    operations = [migrations.RunPython(one_index, three_indexes, elidable=False)]
