from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0007_consent_requested_event"),
    ]

    operations = [
        migrations.AlterField(
            model_name="candidateevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("registered", "Inscription"),
                    ("status_changed", "Changement de statut"),
                    ("consent_changed", "Consentement modifié"),
                    ("consent_requested", "Consentement au partage demandé"),
                    ("merged", "Fusion de dossiers"),
                ],
                max_length=30,
            ),
        ),
    ]
