from django.conf import settings
from django.db import migrations, models

# Search (CandidateQuerySet.search) is `icontains`, which Django writes on PostgreSQL as
# UPPER("col"::text) LIKE UPPER('%…%'): GIN trigram indexes on those same expressions serve it.
# PostgreSQL only (pg_trgm is a trusted extension since PostgreSQL 13); SQLite scans, which is
# fine at its sizes.
TRIGRAM_COLUMNS = ("first_name", "last_name", "email")


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS candidate_{column}_trgm ON candidates_candidate "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS candidate_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0003_consent_changed_event"),
        ("territories", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(fields=["status", "submitted_at"], name="candidate_status_submitted"),
        ),
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(fields=["submitted_at", "id"], name="candidate_submitted"),
        ),
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(fields=["counsellor", "status"], name="candidate_counsellor_status"),
        ),
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(fields=["last_name", "first_name", "id"], name="candidate_name"),
        ),
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(fields=["profile_kind", "status"], name="candidate_profile_status"),
        ),
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(fields=["date_of_birth"], name="candidate_date_of_birth"),
        ),
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(fields=["arrival_date"], name="candidate_arrival_date"),
        ),
        migrations.AddIndex(
            model_name="candidateevent",
            index=models.Index(fields=["candidate", "kind", "created_at"], name="candidate_event_latest"),
        ),
        migrations.AddIndex(
            model_name="candidatetarget",
            index=models.Index(fields=["territory", "candidate"], name="candidate_target_territory"),
        ),
        migrations.AddIndex(
            model_name="consent",
            index=models.Index(fields=["candidate", "purpose", "created_at"], name="consent_latest"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
