import shutil

import pytest
from django.core.management import call_command

from territories.models import AdminUnit, Municipality, Region, Territory
from territories.services import DATA_DIR, territories_load

pytestmark = pytest.mark.django_db


def test_wet_run_loads_the_shipped_reference_data():
    report = territories_load(wet_run=True)

    assert report.created == {"regions": 17, "units": 104, "municipalities": 1130, "territories": 62}
    assert Region.objects.count() == 17
    assert AdminUnit.objects.filter(kind="MRC").count() == 87
    assert AdminUnit.objects.filter(kind="TE").count() == 17
    assert Territory.objects.active().count() == 62
    kamouraska = Territory.objects.get(code="140")
    assert kamouraska.region.code == "01"
    assert list(kamouraska.units.values_list("code", flat=True)) == ["140"]
    assert Region.objects.get(code="02").name_fr == "Saguenay–Lac-Saint-Jean"


def test_codes_keep_their_leading_zeros():
    territories_load(wet_run=True)

    assert Region.objects.filter(code="01").exists()
    assert AdminUnit.objects.filter(code="020", name="Le Rocher-Percé").exists()


def test_dry_run_writes_nothing(capsys):
    call_command("load_territories")

    assert Region.objects.count() == 0
    assert Territory.objects.count() == 0
    assert "Dry run" in capsys.readouterr().out


def test_second_run_changes_nothing_and_keeps_coordinators_edits():
    territories_load(wet_run=True)
    Territory.objects.filter(code="140").update(name="Kamouraska (édité)", is_active=False)

    report = territories_load(wet_run=True)

    assert report.created == {"regions": 0, "units": 0, "municipalities": 0, "territories": 0}
    assert report.updated == {"regions": 0, "units": 0, "municipalities": 0, "territories": 0}
    edited = Territory.objects.get(code="140")
    assert (edited.name, edited.is_active) == ("Kamouraska (édité)", False)


def test_official_names_are_updated_from_the_files(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    territories_load(wet_run=True)
    regions = (data / "regions.csv").read_text(encoding="utf-8").replace("Mauricie,Mauricie", "Mauricie,Mauricie (EN)")
    (data / "regions.csv").write_text(regions, encoding="utf-8")

    report = territories_load(data_dir=data, wet_run=True)

    assert report.updated["regions"] == 1
    assert Region.objects.get(code="04").name_en == "Mauricie (EN)"


def test_municipalities_are_loaded_in_their_mrc_or_te():
    territories_load(wet_run=True)

    rimouski = Municipality.objects.select_related("unit").get(name="Rimouski")
    assert rimouski.unit.code == "100" and rimouski.search_name == "rimouski"
    assert Municipality.objects.get(name="Trois-Rivières").unit.code == "371"  # a TE, found from its divrec
    assert Municipality.objects.get(code="99065").unit.region.code == "10"
