"""The register of confidentiality incidents (P-39.1, s. 3.8; Regulation respecting confidentiality
incidents, s. 7): only the officers' group (and superusers) see, add to, change and export it;
nobody deletes a row; the exports go through the formula-safe writer."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from privacy.models import ConfidentialityIncident, IncidentKind, InjuryRisk, PersonsNotice
from privacy.officers import OFFICER_GROUP
from privacy.services import incident_save
from tests.factories import CoordinatorFactory, CounsellorFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:privacy_confidentialityincident_changelist")
ADD = reverse("admin:privacy_confidentialityincident_add")
EXPORT_CSV = reverse("admin:privacy_confidentialityincident_export_csv")
EXPORT_XLSX = reverse("admin:privacy_confidentialityincident_export_xlsx")
HOSTILE = '=HYPERLINK("https://evil.example","cliquez")'


def days_ago(days: int) -> datetime.date:
    """Today is read when the test runs, not when the module is collected: a suite that crosses
    midnight would otherwise date tomorrow as today."""
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def officer():
    user = CoordinatorFactory()
    user.groups.add(Group.objects.get(name=OFFICER_GROUP))  # made by privacy's data migration
    return user


def an_incident(by, **fields) -> ConfidentialityIncident:
    values = {
        "organisation": "eer",
        "kind": IncidentKind.DISCLOSURE,
        "information_description": "Nom, courriel et statut d'immigration",
        "circumstances": "Un courriel envoyé au mauvais destinataire.",
        "occurred_from": days_ago(10),
        "known_on": days_ago(8),
        "persons_count": 1,
        "risk": InjuryRisk.SERIOUS,
        "risk_sensitivity": "Statut d'immigration : sensible.",
        "commission_notified_on": days_ago(7),
        "persons_notified_on": days_ago(7),
        "persons_notice": PersonsNotice.INDIVIDUAL,
        "measures": "Demande d'effacement au destinataire.",
        **fields,
    }
    return incident_save(incident=ConfidentialityIncident(**values), by=by)


def form_data(**fields) -> dict:
    data = {
        "organisation": "pajr",
        "kind": IncidentKind.LOSS,
        "information_description": "Les CV de deux personnes",
        "information_undescribable_reason": "",
        "circumstances": "Un ordinateur portable perdu.",
        "occurred_from": days_ago(3).isoformat(),
        "occurred_to": "",
        "known_on": days_ago(2).isoformat(),
        "persons_count": "2",
        "risk": InjuryRisk.ASSESSING,
        "risk_sensitivity": "",
        "risk_consequences": "",
        "risk_misuse_likelihood": "",
        "commission_notified_on": "",
        "persons_notified_on": "",
        "persons_notice": "",
        "public_notice_reason": "",
        "measures": "",
    }
    return {**data, **fields}


def test_the_officers_group_exists_after_the_migrations():
    assert Group.objects.filter(name=OFFICER_GROUP).count() == 1


@pytest.mark.parametrize("make_user", [CoordinatorFactory, CounsellorFactory], ids=["coordinator", "counsellor"])
def test_staff_outside_the_officers_group_neither_see_nor_export_it(client, officer, make_user):
    incident = an_incident(officer)
    client.force_login(make_user(is_staff=True))

    assert "confidentialityincident" not in client.get(reverse("admin:index")).content.decode()
    for url in (
        CHANGELIST,
        ADD,
        reverse("admin:privacy_confidentialityincident_change", args=[incident.pk]),
        EXPORT_CSV,
        EXPORT_XLSX,
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(ADD, form_data()).status_code == 403
    assert ConfidentialityIncident.objects.count() == 1


def test_the_officer_records_an_incident_and_who_recorded_it_is_kept(client, officer):
    client.force_login(officer)
    assert "confidentialityincident" in client.get(reverse("admin:index")).content.decode()

    response = client.post(ADD, form_data())

    assert response.status_code == 302, response.context["adminform"].form.errors
    incident = ConfidentialityIncident.objects.get()
    assert incident.recorded_by == officer
    assert (incident.organisation, incident.kind, incident.risk) == ("pajr", "loss", "assessing")  # codes


def test_a_superuser_sees_it_and_nobody_deletes_a_row(client, officer):
    incident = an_incident(officer)
    client.force_login(CoordinatorFactory(is_superuser=True))

    assert client.get(CHANGELIST).status_code == 200
    delete = reverse("admin:privacy_confidentialityincident_delete", args=[incident.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ConfidentialityIncident.objects.filter(pk=incident.pk).exists()


def test_the_register_s_checks_give_a_clear_answer(client, officer):
    client.force_login(officer)

    response = client.post(
        ADD,
        form_data(
            information_description="",
            occurred_to=days_ago(5).isoformat(),
            known_on=days_ago(-1).isoformat(),
            persons_notified_on=days_ago(1).isoformat(),
        ),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) >= {"information_description", "occurred_to", "known_on", "persons_notice"}
    assert not ConfidentialityIncident.objects.exists()


def test_a_notice_cannot_precede_the_day_the_incident_became_known(officer):
    with pytest.raises(ValidationError) as error:
        an_incident(officer, known_on=days_ago(5), commission_notified_on=days_ago(6))
    assert "commission_notified_on" in error.value.message_dict


def test_a_public_notice_needs_its_reason(officer):
    with pytest.raises(ValidationError) as error:
        an_incident(officer, persons_notice=PersonsNotice.PUBLIC)
    assert "public_notice_reason" in error.value.message_dict
    an_incident(officer, persons_notice=PersonsNotice.PUBLIC, public_notice_reason="Personnes injoignables.")


def test_information_that_cannot_be_described_says_why(officer):
    incident = an_incident(
        officer, information_description="", information_undescribable_reason="Journal du serveur perdu."
    )
    assert incident.pk


def test_the_list_flags_notices_still_to_give(client, officer):
    an_incident(officer, commission_notified_on=None, persons_notified_on=None, persons_notice="")
    client.force_login(officer)

    response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert 'alt="True"' in response.content.decode()  # the "notices to give" column


def test_the_officer_exports_the_register_with_every_cell_defused(client, officer):
    an_incident(officer, circumstances=HOSTILE, measures="+1 418 555-0123", persons_count=3)
    client.force_login(officer)

    csv_response = client.get(EXPORT_CSV)
    xlsx_response = client.get(EXPORT_XLSX)

    assert csv_response.status_code == 200 and xlsx_response.status_code == 200
    for response in (csv_response, xlsx_response):
        assert response["Content-Disposition"].startswith('attachment; filename="registre-incidents-')
        assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    header, row = rows[0], rows[1]
    assert "circonstances de l'incident" in header and "date où l'organisation en a eu connaissance" in header
    cells = dict(zip(header, row, strict=True))
    assert cells["circonstances de l'incident"] == "'" + HOSTILE
    assert cells["mesures prises pour diminuer le risque de préjudice"] == "'+1 418 555-0123"
    assert cells["nature de l'incident"] == "Communication non autorisée"  # the label of the stored code
    assert cells["inscrit par"] == officer.email
    assert not any(cell.startswith(("=", "+", "@", "-")) for cell in row)

    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    values = [cell for cell in sheet[2]]
    assert all(cell.data_type != "f" for cell in values)
    assert HOSTILE in [cell.value for cell in values]
    assert 3 in [cell.value for cell in values]


def test_the_list_and_the_export_read_the_same_number_of_rows_whatever_the_register_s_size(client, officer):
    client.force_login(officer)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    an_incident(officer)
    one = (queries(CHANGELIST), queries(EXPORT_CSV))
    for _ in range(49):
        an_incident(officer)
    fifty = (queries(CHANGELIST), queries(EXPORT_CSV))

    assert one == fifty
