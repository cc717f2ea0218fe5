"""Exports in the reader's language: the statistics' CSV and XLSX and the Mon dossier export
(file names, header, labels), read in English, carry no French of the platform's own; in French,
the same files in French."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import CounsellorFactory
from tests.my_file.test_my_file import full_candidate  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

TABLES = ("registrations", "funnel", "acceptance_regions", "acceptance_territories", "declines", "retention")


def zip_members(response) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_mon_dossier_export_in_english(client, full_candidate):  # noqa: F811
    client.force_login(full_candidate.user)
    client.cookies["django_language"] = "en"

    response = client.get(reverse("my_file:export"))

    assert response["Content-Disposition"].startswith('attachment; filename="my-file-')
    members = zip_members(response)
    assert set(members) == {"my-file.json", "my-file.csv"}
    rows = list(csv.reader(io.StringIO(members["my-file.csv"].decode("utf-8-sig"))))
    assert rows[0] == ["field", "label", "value"]
    labels = {row[0]: row[1] for row in rows[1:]}
    assert (labels["first_name"], labels["last_name"]) == ("first name", "last name")
    assert labels["account.date_joined"] == "Account – account created on"
    assert labels["referrals.1.status_label"] == "Referral 1 – status (label)"


def test_mon_dossier_export_in_french(client, full_candidate):  # noqa: F811
    client.force_login(full_candidate.user)

    response = client.get(reverse("my_file:export"))

    assert response["Content-Disposition"].startswith('attachment; filename="mon-dossier-')
    rows = list(csv.reader(io.StringIO(zip_members(response)["mon-dossier.csv"].decode("utf-8-sig"))))
    assert rows[0] == ["champ", "libellé", "valeur"]
    assert {row[0]: row[1] for row in rows[1:]}["last_name"] == "nom de famille"


@pytest.mark.parametrize("table", TABLES)
def test_statistics_exports_in_english(client, table):
    client.force_login(CounsellorFactory())
    client.cookies["django_language"] = "en"
    url = reverse("stats:statistics")

    response = client.get(url, {"export": table, "format": "csv"})
    assert response["Content-Disposition"].startswith(f'attachment; filename="statistics-{table}-')
    header = response.content.decode("utf-8-sig").splitlines()[0]

    response = client.get(url, {"export": table, "format": "xlsx"})
    assert response["Content-Disposition"].startswith(f'attachment; filename="statistics-{table}-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert ",".join(str(cell.value) for cell in sheet[1]) == header
    french = [
        word for word in ("Mois", "Étape", "Région", "Territoire", "Motif", "Personnes", "Taux") if word in header
    ]
    assert not french, header
