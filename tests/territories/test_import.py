import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from territories.models import Agent, Territory
from territories.services import agents_csv_export, agents_import, territories_csv_export, territories_import
from tests.factories import AgentFactory, CandidateFactory, CoordinatorFactory, RegionFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

HEADER = "code,name,region_code,is_active,unit_codes,employment_fr,employment_en\n"


def test_territories_preview_then_write():
    RegionFactory(code="08")
    TerritoryFactory(code="RN", name="Rouyn", region=RegionFactory(code="08"))
    text = HEADER + "RN,Rouyn-Noranda,08,oui,,Mines,Mining\nAMO,Amos,08,1,,,\n"
    preview = territories_import(text=text, wet_run=False)
    assert [(r.key, r.action) for r in preview.rows] == [("RN", "update"), ("AMO", "create")]
    assert "name" in preview.rows[0].changes and "employment_fr" in preview.rows[0].changes
    assert not preview.written and not Territory.objects.filter(code="AMO").exists()
    report = territories_import(text=text, wet_run=True)
    assert report.written
    assert Territory.objects.get(code="RN").employment_en == "Mining"
    assert Territory.objects.get(code="AMO").region.code == "08"
    again = territories_import(text=text, wet_run=False)
    assert [r.action for r in again.rows] == ["unchanged", "unchanged"]


def test_territories_import_with_bad_rows_writes_nothing():
    RegionFactory(code="08")
    text = (
        HEADER + "NEW,Nouveau,08,,,,\nBAD,Mauvaise région,99,,,,\nDUP,Un,08,,,,\nDUP,Deux,08,,,,\nU,Unités,08,,ZZZ,,\n"
    )
    report = territories_import(text=text, wet_run=True)
    assert report.has_errors and not report.written
    errors = {r.line: r.errors for r in report.rows if r.errors}
    assert errors == {
        3: ["Région inconnue : « 99 »."],
        5: ["Le code « DUP » figure déjà à la ligne 4."],
        6: ["MRC ou TE inconnue(s) : ZZZ."],
    }
    assert not Territory.objects.exists()


def test_agents_import_reports_each_bad_row_and_writes_nothing():
    TerritoryFactory(code="RN")
    CandidateFactory(email="candidate@example.org")
    text = (
        "email,first_name,last_name,phone,language,territory_codes,is_active\n"
        "ok@paj.example.org,Léa,Tremblay,,fr,RN,1\n"
        "not-an-email,Max,Roy,,fr,RN,1\n"
        "ok@paj.example.org,Léa,Bis,,fr,RN,1\n"
        "x@paj.example.org,Zoé,Côté,,fr,NOPE,1\n"
        "candidate@example.org,Ana,Lima,,fr,RN,1\n"
    )
    report = agents_import(text=text, wet_run=True)
    assert not report.written
    assert [r.action for r in report.rows] == ["create", "error", "error", "error", "error"]
    assert report.rows[1].errors == ["Adresse courriel invalide : « not-an-email »."]
    assert "ligne 2" in report.rows[2].errors[0]
    assert report.rows[3].errors == ["Territoire(s) inconnu(s) : NOPE."]
    assert "candidat·e" in report.rows[4].errors[0]
    assert not Agent.objects.exists()


def test_agents_import_writes_and_gives_accounts():
    territory = TerritoryFactory(code="RN")
    text = "email;first_name;last_name;territory_codes\nLea@PAJ.example.org;Léa;Tremblay;RN\n"  # semicolons
    report = agents_import(text=text, wet_run=True)
    assert report.written
    agent = Agent.objects.get()
    assert agent.email == "lea@paj.example.org" and list(agent.territories.all()) == [territory]
    assert agent.user is not None


def test_exports_round_trip():
    territory = TerritoryFactory(code="RN", housing_fr="Rare")
    AgentFactory(territories=[territory], email="a@paj.example.org")
    assert [r.action for r in territories_import(text=territories_csv_export(), wet_run=False).rows] == ["unchanged"]
    assert [r.action for r in agents_import(text=agents_csv_export(), wet_run=False).rows] == ["unchanged"]


def test_admin_import_preview_then_confirm(client):
    RegionFactory(code="08")
    client.force_login(CoordinatorFactory(is_superuser=True))
    url = reverse("admin:territories_territory_import_csv")
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("t.csv", (HEADER + "AMO,Amos,08,1,,,\n").encode(), content_type="text/csv")
    preview = client.post(url, {"file": upload})
    assert "Confirmer" in preview.text and not Territory.objects.exists()
    content = preview.context["confirm_form"].initial["content"]
    done = client.post(url, {"confirm": "1", "content": content})
    assert done.status_code == 302 and Territory.objects.get().code == "AMO"
    bad = SimpleUploadedFile("t.csv", (HEADER + "X,X,99,,,,\n").encode(), content_type="text/csv")
    refused = client.post(url, {"file": bad})
    assert "Région inconnue" in refused.text and "confirm_form" not in refused.context


def test_admin_export_and_changelists(client):
    TerritoryFactory(code="RN")
    client.force_login(CoordinatorFactory(is_superuser=True))
    response = client.get(reverse("admin:territories_territory_export_csv"))
    assert response.content.decode().splitlines()[1].startswith("RN,")
    for name in ("territory", "agent", "settlementprogram"):
        assert client.get(reverse(f"admin:territories_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:referrals_referraltransition_changelist")).status_code == 200


def test_import_needs_change_permission(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:territories_agent_import_csv")).status_code == 403


def test_cells_no_column_would_take_are_errors_at_the_preview_not_at_the_confirmation():
    RegionFactory(code="08")
    text = HEADER + "LONG," + "N" * 121 + ",08,,,,\nNUL,Nul\x00le,08,,,,\nOK,Bon,08,,,,\n"

    preview = territories_import(text=text, wet_run=False)
    confirmed = territories_import(text=text, wet_run=True)

    errors = {row.key: row.errors for row in preview.rows if row.errors}
    assert errors == {
        "LONG": ["La colonne « name » dépasse 120 caractères (121)."],
        "NUL": ["La colonne « name » contient un caractère nul."],
    }
    assert not confirmed.written and not Territory.objects.exists()


def test_an_agent_row_too_long_or_with_a_nul_is_reported():
    TerritoryFactory(code="RN")
    text = (
        "email,first_name,last_name,phone,language,territory_codes,is_active\n"
        f"a@example.org,{'A' * 101},Roy,,fr,RN,1\n"
        "b@example.org,Bé\x00a,Roy,,fr,RN,1\n"
    )

    report = agents_import(text=text, wet_run=True)

    assert [row.errors for row in report.rows] == [
        ["La colonne « first_name » dépasse 100 caractères (101)."],
        ["La colonne « first_name » contient un caractère nul."],
    ]
    assert not Agent.objects.exists()
