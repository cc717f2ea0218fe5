"""The one safe CSV/XLSX writer, and every export that goes through it: no cell a person or a
coordinator typed runs as a formula; phone numbers stay phone numbers."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from common.exports import csv_text, defuse, undefuse, xlsx_bytes
from territories.services import agents_csv_export, agents_import, territories_csv_export
from tests.factories import AgentFactory, CoordinatorFactory, RegionFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("https://evil.example","x")', "+1+2", "-2+3", "@SUM(1)", "\tTAB", "\rCR"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_is_written_as_text_in_csv_and_read_back_as_typed(value):
    assert defuse(value) == "'" + value
    assert undefuse(defuse(value)) == value
    assert defuse(12) == 12 and defuse(None) == "" and defuse("Rimouski") == "Rimouski"


def test_xlsx_cells_are_text_never_formulas_and_phones_stay_readable():
    workbook = load_workbook(
        io.BytesIO(xlsx_bytes(["nom", "téléphone", "n"], [[HOSTILE[0], "+1 418-555-0123", 3]], sheet="s"))
    )
    name, phone, number = workbook.active[2]

    assert (name.data_type, name.value) == ("s", HOSTILE[0])
    assert (phone.data_type, phone.value) == ("s", "+1 418-555-0123")
    assert (number.data_type, number.value) == ("n", 3)


def test_the_statistics_exports_defuse_a_territorys_name(client):
    region = RegionFactory(code="01", name_fr="=1+1")
    TerritoryFactory(name='=HYPERLINK("https://evil.example")', region=region)
    client.force_login(CoordinatorFactory())
    url = reverse("stats:statistics")

    rows = list(
        csv.reader(
            io.StringIO(client.get(url, {"export": "acceptance_regions", "format": "csv"}).content.decode("utf-8-sig"))
        )
    )
    sheet = load_workbook(
        io.BytesIO(client.get(url, {"export": "acceptance_regions", "format": "xlsx"}).content)
    ).active

    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_admin_csv_exports_defuse_and_round_trip():
    territory = TerritoryFactory(code="RN", name="-Rouyn")
    AgentFactory(email="agent@example.org", first_name="=Josée", phone="+1 418-555-0123", territories=[territory])

    exported = agents_csv_export()
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))

    assert rows[0]["first_name"] == "'=Josée" and rows[0]["phone"] == "'+1 418-555-0123"
    assert "'-Rouyn" in territories_csv_export()
    again = agents_import(text=exported, wet_run=False)  # an export re-imported changes nothing
    assert [row.action for row in again.rows] == ["unchanged"]


def test_every_export_is_an_attachment_nobody_caches(client):
    client.force_login(CoordinatorFactory(is_superuser=True))
    responses = [
        client.get(reverse("stats:statistics"), {"export": "funnel", "format": "csv"}),
        client.get(reverse("stats:statistics"), {"export": "funnel", "format": "xlsx"}),
        client.get(reverse("admin:territories_agent_export_csv")),
        client.get(reverse("admin:territories_territory_export_csv")),
    ]

    for response in responses:
        assert response["Content-Disposition"].startswith("attachment")
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_csv_text_starts_with_a_byte_order_mark():
    assert csv_text(["a"], [["é"]]).startswith("\ufeffa")
