import csv
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .models import AdminUnit, Region, Territory

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=lambda: {"regions": 0, "units": 0, "territories": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"regions": 0, "units": 0, "territories": 0})


def _rows(name: str, data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _upsert(model, lookup: dict, values: dict, *, update: bool = True) -> str:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        model.objects.create(**lookup, **values)
        return "created"
    if not update:
        return "same"
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save(update_fields=changed)
        return "updated"
    return "same"


def territories_load(*, data_dir: Path = DATA_DIR, wet_run: bool) -> LoadReport:
    """Load the regions, the MRC/TE units and the known PAJ territories from the CSV files.

    Codes are keys. Regions and MRC/TE units are official reference data: running it again updates
    them from the files. Territories are only created when missing: once loaded, coordinators
    maintain them in the admin, and a later run never overwrites their edits. Nothing is deleted.
    Without `wet_run` the changes are computed and rolled back.
    """
    report = LoadReport()

    def count(kind: str, outcome: str) -> None:
        if outcome in ("created", "updated"):
            getattr(report, outcome)[kind] += 1

    with transaction.atomic():
        for row in _rows("regions.csv", data_dir):
            count(
                "regions",
                _upsert(
                    Region,
                    {"code": row["code"]},
                    {"name_fr": row["name_fr"], "name_en": row["name_en"]},
                ),
            )
        regions = {r.code: r for r in Region.objects.all()}
        for row in _rows("mrc.csv", data_dir):
            values = {
                "name": row["name"],
                "kind": row["kind"],
                "region": regions[row["region_code"]],
                "source": row["source"],
            }
            count("units", _upsert(AdminUnit, {"code": row["code"]}, values))
        units = {u.code: u for u in AdminUnit.objects.all()}
        for row in _rows("paj_territories_known.csv", data_dir):
            values = {
                "name": row["name"],
                "region": regions[row["region_code"]],
                "source": row["source"],
            }
            outcome = _upsert(Territory, {"code": row["code"]}, values, update=False)
            count("territories", outcome)
            if outcome == "created" and row["code"] in units:
                Territory.objects.get(code=row["code"]).units.add(units[row["code"]])
        if not wet_run:
            transaction.set_rollback(True)
    logger.info("territories_load wet_run=%s created=%s updated=%s", wet_run, report.created, report.updated)
    return report
