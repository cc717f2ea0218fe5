"""The officers' group (privacy.officers.OFFICER_GROUP): its members see people's files for access
requests and anonymization, and the register of confidentiality incidents. A superuser adds the
person in charge of the protection of personal information of each organisation to it."""

from django.db import migrations

# The name as it is today in privacy.officers (a migration does not import the code it may outlive).
OFFICER_GROUP = "Responsables de la protection des renseignements personnels"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=OFFICER_GROUP)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=OFFICER_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("privacy", "0002_confidentiality_incident_register"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
