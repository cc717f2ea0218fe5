"""The access log records every kind of reading, by staff or agents, once per reader, file and hour:
the rows already there become "file page" readings by their user, and the readings of a same
person in a same hour are kept once."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def readers_and_hours(apps, schema_editor):
    FileAccess = apps.get_model("candidates", "FileAccess")
    seen = set()
    duplicates = []
    batch = []
    for access in FileAccess.objects.order_by("id").iterator(chunk_size=2000):
        access.reader = f"user:{access.user_id}"
        access.hour = access.at.replace(minute=0, second=0, microsecond=0)
        key = (access.candidate_id, access.reader, "file_page", access.hour)
        if key in seen:
            duplicates.append(access.pk)
            continue
        seen.add(key)
        batch.append(access)
        if len(batch) >= 2000:
            FileAccess.objects.bulk_update(batch, ["reader", "hour"])
            batch = []
    if batch:
        FileAccess.objects.bulk_update(batch, ["reader", "hour"])
    for start in range(0, len(duplicates), 2000):
        FileAccess.objects.filter(pk__in=duplicates[start : start + 2000]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0013_consent_texts_of_the_first_versions"),
        ("territories", "0002_territory_texts_settlement_programs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="fileaccess",
            name="agent",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="territories.agent",
            ),
        ),
        migrations.AddField(
            model_name="fileaccess",
            name="kind",
            field=models.CharField(
                choices=[
                    ("file_page", "Dossier (conseil)"),
                    ("cv", "CV téléchargé"),
                    ("merge_preview", "Aperçu d'une fusion"),
                    ("agent_page", "Orientation (espace agent·e)"),
                    ("agent_link", "Orientation (lien du courriel)"),
                    ("admin", "Administration"),
                    ("export", "Export des données"),
                    ("access_request", "Demande d'accès (responsable de la protection)"),
                ],
                default="file_page",
                max_length=20,
                verbose_name="lecture",
            ),
        ),
        migrations.AddField(model_name="fileaccess", name="reader", field=models.CharField(max_length=40, null=True)),
        migrations.AddField(model_name="fileaccess", name="hour", field=models.DateTimeField(null=True)),
        migrations.AlterField(
            model_name="fileaccess",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(readers_and_hours, migrations.RunPython.noop),
        migrations.AlterField(model_name="fileaccess", name="reader", field=models.CharField(max_length=40)),
        migrations.AlterField(model_name="fileaccess", name="hour", field=models.DateTimeField()),
        migrations.AddConstraint(
            model_name="fileaccess",
            constraint=models.UniqueConstraint(
                fields=("candidate", "reader", "kind", "hour"), name="file_access_once_an_hour"
            ),
        ),
    ]
