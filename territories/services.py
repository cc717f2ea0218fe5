import csv
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

from allauth.account.models import EmailAddress
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import user_sync_agent_account
from common.exports import csv_text, undefuse

from .models import AdminUnit, Agent, Municipality, Region, Territory, search_key

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class LoadReport:
    created: dict[str, int] = field(
        default_factory=lambda: {"regions": 0, "units": 0, "municipalities": 0, "territories": 0}
    )
    updated: dict[str, int] = field(
        default_factory=lambda: {"regions": 0, "units": 0, "municipalities": 0, "territories": 0}
    )


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
    """Load the regions, the MRC/TE units, their municipalities and the known PAJ territories from
    the CSV files.

    Codes are keys. Regions, MRC/TE units and municipalities are official reference data: running it again updates
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
        known = {m.code: m for m in Municipality.objects.all()}
        new = []
        for row in _rows("municipalities.csv", data_dir) if (data_dir / "municipalities.csv").exists() else []:
            values = {"name": row["name"], "unit": units[row["unit_code"]], "source": row["source"]}
            if (municipality := known.get(row["code"])) is None:
                new.append(Municipality(code=row["code"], search_name=search_key(row["name"]), **values))
                continue
            if changed := [k for k, v in values.items() if getattr(municipality, k) != v]:
                for k in changed:
                    setattr(municipality, k, values[k])
                municipality.save(update_fields=changed)
                report.updated["municipalities"] += 1
        Municipality.objects.bulk_create(new, batch_size=500)  # 1,130 rows: one INSERT per batch
        report.created["municipalities"] += len(new)
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


class AgentAccountError(Exception):
    """An agent's account cannot be created or linked as asked; nothing was changed. The message
    is for people."""


def agent_account_ensure(*, agent: Agent) -> User:
    """Give the agent an account to sign in with a code sent by email (no password), or bring the
    one they have in line with their record: email, names, language, active or not. Creates the
    account with a verified address, or links an agent's account that has the same email. Safe to
    call again. Refuses an address that belongs to a candidate's or a counsellor's account, or to
    another agent's."""
    with transaction.atomic():
        locked = Agent.objects.select_for_update(of=("self",)).select_related("user").get(pk=agent.pk)
        email = locked.email.strip().lower()
        holder = User.objects.filter(email__iexact=email).select_related("agent").first()
        if holder is not None and holder != locked.user:
            if holder.role != User.Role.AGENT:
                raise AgentAccountError(
                    _("L'adresse %(email)s est déjà celle d'un compte « %(role)s » : utilisez une autre adresse.")
                    % {"email": email, "role": holder.get_role_display()}
                )
            if locked.user is not None or getattr(holder, "agent", None) is not None:
                raise AgentAccountError(
                    _("L'adresse %(email)s est déjà celle du compte d'un·e autre agent·e.") % {"email": email}
                )
        user = locked.user or holder
        if EmailAddress.objects.filter(email__iexact=email).exclude(user=user).exists():
            raise AgentAccountError(_("L'adresse %(email)s est déjà une adresse d'un autre compte.") % {"email": email})
        if user is not None and user.role != User.Role.AGENT:
            raise AgentAccountError(_("Le compte relié à cet·te agent·e n'est pas un compte d'agent·e."))
        user, created = user_sync_agent_account(
            user=user,
            email=email,
            first_name=locked.first_name,
            last_name=locked.last_name,
            language=locked.language,
            is_active=locked.is_active,
        )
        if locked.user_id != user.pk:
            locked.user = user
            locked.save(update_fields=["user"])
    agent.user = user
    logger.info(
        "agent_account_ensure agent=%s user=%s created=%s active=%s", agent.pk, user.pk, created, user.is_active
    )
    return user


# --- CSV import and export of territories and agents (the admin's "Importer" / "Exporter") ----------

LIST_SEPARATOR = "|"  # inside a cell: unit codes, territory codes
TERRITORY_TEXT_COLUMNS = [f"{field}_{lang}" for field in Territory.TEXT_FIELDS for lang in ("fr", "en")]
TERRITORY_COLUMNS = ["code", "name", "region_code", "is_active", "unit_codes", *TERRITORY_TEXT_COLUMNS]
AGENT_COLUMNS = ["email", "first_name", "last_name", "phone", "language", "territory_codes", "is_active"]
LANGUAGE_ALIASES = {"fr": "fr-ca", "fr-ca": "fr-ca", "en": "en"}
TRUE_VALUES, FALSE_VALUES = {"1", "true", "oui", "yes", "vrai"}, {"0", "false", "non", "no", "faux"}


class ImportAction:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass
class ImportRow:
    """One line of the file: what importing it would do, or why it cannot be imported."""

    line: int
    key: str
    action: str = ImportAction.UNCHANGED
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or any(row.errors for row in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)


def _csv_rows(text: str, columns: list[str], report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV file (comma or semicolon separated, as spreadsheets write it) with their line
    numbers; a missing column is a file error."""
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    required = {"code", "name", "region_code"} if "region_code" in columns else {"email", "first_name", "last_name"}
    if missing_required := [c for c in missing if c in required]:
        report.file_errors.append(_("Colonnes manquantes : %(columns)s.") % {"columns": ", ".join(missing_required)})
        return []
    return [
        (reader.line_num, {k: undefuse((v or "").strip()) for k, v in row.items() if k in columns})
        for row in reader
        if any((v or "").strip() for k, v in row.items() if k)
    ]


def _cell_errors(data: dict[str, str], model) -> list[str]:
    """What no database column would take, found at the preview rather than at the confirmation:
    a NUL character (PostgreSQL refuses it), or a value longer than its column."""
    errors = []
    for column, value in data.items():
        if "\x00" in value:
            errors.append(_("La colonne « %(column)s » contient un caractère nul.") % {"column": column})
            continue
        try:
            limit = model._meta.get_field(column).max_length
        except FieldDoesNotExist:
            continue
        if limit and len(value) > limit:
            errors.append(
                _("La colonne « %(column)s » dépasse %(limit)s caractères (%(length)s).")
                % {"column": column, "limit": limit, "length": len(value)}
            )
    return errors


def _parse_bool(value: str, row: ImportRow, default: bool) -> bool:
    if value == "":
        return default
    if value.lower() in TRUE_VALUES:
        return True
    if value.lower() in FALSE_VALUES:
        return False
    row.errors.append(_("« %(value)s » n'est pas une valeur de is_active (oui/non, 1/0).") % {"value": value})
    return default


def _codes(value: str) -> list[str]:
    return [code.strip() for code in value.split(LIST_SEPARATOR) if code.strip()]


def _diff(obj, values: dict) -> list[str]:
    return [name for name, value in values.items() if obj is None or getattr(obj, name) != value]


def territories_import(*, text: str, wet_run: bool) -> ImportReport:
    """Import territories from CSV (TERRITORY_COLUMNS; `code` is the key; a column left out keeps
    its value; unit codes separated by "|"). Every row is checked first: unknown region or unit,
    a code twice in the file, a missing name. With any error, or without `wet_run`, nothing is
    written and the report says, row by row, what would be created or changed, or what is wrong."""
    report = ImportReport()
    rows = _csv_rows(text, TERRITORY_COLUMNS, report)
    regions = {r.code: r for r in Region.objects.all()}
    units = {u.code: u for u in AdminUnit.objects.all()}
    existing = {t.code: t for t in Territory.objects.prefetch_related("units")}
    seen: dict[str, int] = {}
    plans = []
    for line, data in rows:
        code = data.get("code", "")
        row = ImportRow(line=line, key=code)
        report.rows.append(row)
        row.errors += _cell_errors(data, Territory)
        if not code:
            row.errors.append(_("Le code est obligatoire."))
        elif len(code) > Territory._meta.get_field("code").max_length:
            row.errors.append(_("Le code « %(code)s » est trop long.") % {"code": code})
        elif code in seen:
            row.errors.append(
                _("Le code « %(code)s » figure déjà à la ligne %(line)d.") % {"code": code, "line": seen[code]}
            )
        else:
            seen[code] = line
        if not data.get("name"):
            row.errors.append(_("Le nom est obligatoire."))
        region = regions.get(data.get("region_code", ""))
        if region is None:
            row.errors.append(_("Région inconnue : « %(code)s ».") % {"code": data.get("region_code", "")})
        territory = existing.get(code)
        values = {"name": data.get("name", ""), "region": region}
        values.update({column: data[column] for column in TERRITORY_TEXT_COLUMNS if column in data})
        if "is_active" in data:
            values["is_active"] = _parse_bool(data["is_active"], row, territory.is_active if territory else True)
        unit_objs = None
        if "unit_codes" in data:
            unknown = [c for c in _codes(data["unit_codes"]) if c not in units]
            if unknown:
                row.errors.append(_("MRC ou TE inconnue(s) : %(codes)s.") % {"codes": ", ".join(unknown)})
            unit_objs = {units[c] for c in _codes(data["unit_codes"]) if c in units}
        if row.errors:
            row.action = ImportAction.ERROR
            continue
        row.changes = _diff(territory, values)
        if unit_objs is not None and (territory is None or set(territory.units.all()) != unit_objs):
            row.changes.append("unit_codes")
        row.action = (
            ImportAction.CREATE if territory is None else ImportAction.UPDATE if row.changes else ImportAction.UNCHANGED
        )
        plans.append((row, territory, code, values, unit_objs))
    if wet_run and not report.has_errors:
        with transaction.atomic():
            for row, territory, code, values, unit_objs in plans:
                if row.action == ImportAction.CREATE:
                    territory = Territory.objects.create(code=code, **values)
                elif row.action == ImportAction.UPDATE:
                    fields = [name for name in row.changes if name != "unit_codes"]
                    for name in fields:
                        setattr(territory, name, values[name])
                    if fields:
                        territory.save(update_fields=fields)
                if unit_objs is not None and "unit_codes" in row.changes:
                    territory.units.set(unit_objs)
        report.written = True
    logger.info(
        "territories_import wet_run=%s written=%s rows=%d errors=%s",
        wet_run,
        report.written,
        len(report.rows),
        report.has_errors,
    )
    return report


def agents_import(*, text: str, wet_run: bool) -> ImportReport:
    """Import agents from CSV (AGENT_COLUMNS; `email` is the key; territory codes separated by
    "|"). Checks every row first: malformed or repeated email, an address that is a candidate's
    or counsellor's account, unknown territory or language. With any error, or without `wet_run`,
    nothing is written. Written agents get their sign-in account (agent_account_ensure); if that
    fails for one, nothing is written either."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    report = ImportReport()
    rows = _csv_rows(text, AGENT_COLUMNS, report)
    territories = {t.code: t for t in Territory.objects.all()}
    existing = {a.email: a for a in Agent.objects.prefetch_related("territories")}
    emails = [data.get("email", "").lower() for _line, data in rows]
    taken = set(User.objects.filter(email__in=emails).exclude(role=User.Role.AGENT).values_list("email", flat=True))
    taken = {email.lower() for email in taken}
    languages = {value for value, _label in Agent._meta.get_field("language").choices}
    seen: dict[str, int] = {}
    plans = []
    for line, data in rows:
        email = data.get("email", "").lower()
        row = ImportRow(line=line, key=email)
        report.rows.append(row)
        row.errors += _cell_errors(data, Agent)
        try:
            validate_email(email)
        except ValidationError:
            row.errors.append(_("Adresse courriel invalide : « %(email)s ».") % {"email": email})
        else:
            if email in seen:
                row.errors.append(
                    _("L'adresse « %(email)s » figure déjà à la ligne %(line)d.")
                    % {"email": email, "line": seen[email]}
                )
            else:
                seen[email] = line
            if email in taken:
                row.errors.append(
                    _("L'adresse « %(email)s » est celle d'un compte de candidat·e ou de conseiller·ère.")
                    % {"email": email}
                )
        for column in ("first_name", "last_name"):
            if not data.get(column):
                row.errors.append(_("La colonne %(column)s est obligatoire.") % {"column": column})
        agent = existing.get(email)
        values = {"first_name": data.get("first_name", ""), "last_name": data.get("last_name", "")}
        if "phone" in data:
            values["phone"] = data["phone"]
        if data.get("language"):
            data["language"] = LANGUAGE_ALIASES.get(data["language"].lower(), data["language"])
            if data["language"] not in languages:
                row.errors.append(
                    _("Langue inconnue : « %(language)s » (%(choices)s).")
                    % {"language": data["language"], "choices": ", ".join(sorted(languages))}
                )
            values["language"] = data["language"]
        if "is_active" in data:
            values["is_active"] = _parse_bool(data["is_active"], row, agent.is_active if agent else True)
        territory_objs = None
        if "territory_codes" in data:
            unknown = [c for c in _codes(data["territory_codes"]) if c not in territories]
            if unknown:
                row.errors.append(_("Territoire(s) inconnu(s) : %(codes)s.") % {"codes": ", ".join(unknown)})
            territory_objs = {territories[c] for c in _codes(data["territory_codes"]) if c in territories}
        if row.errors:
            row.action = ImportAction.ERROR
            continue
        row.changes = _diff(agent, values)
        if territory_objs is not None and (agent is None or set(agent.territories.all()) != territory_objs):
            row.changes.append("territory_codes")
        row.action = (
            ImportAction.CREATE if agent is None else ImportAction.UPDATE if row.changes else ImportAction.UNCHANGED
        )
        plans.append((row, agent, email, values, territory_objs))
    if wet_run and not report.has_errors:
        try:
            with transaction.atomic():
                for row, agent, email, values, territory_objs in plans:
                    if row.action == ImportAction.UNCHANGED:
                        continue
                    if agent is None:
                        agent = Agent.objects.create(email=email, **values)
                    else:
                        fields = [name for name in row.changes if name != "territory_codes"]
                        for name in fields:
                            setattr(agent, name, values[name])
                        if fields:
                            agent.save(update_fields=fields)
                    if territory_objs is not None and "territory_codes" in row.changes:
                        agent.territories.set(territory_objs)
                    try:
                        agent_account_ensure(agent=agent)
                    except AgentAccountError as error:
                        row.errors.append(str(error))
                        row.action = ImportAction.ERROR
                        raise
        except AgentAccountError:
            report.written = False
        else:
            report.written = True
    logger.info(
        "agents_import wet_run=%s written=%s rows=%d errors=%s",
        wet_run,
        report.written,
        len(report.rows),
        report.has_errors,
    )
    return report


def territories_csv_export() -> str:
    """Every territory, in the columns territories_import reads (two queries), through the one
    safe CSV writer (common.exports: no cell runs as a formula)."""
    return csv_text(
        TERRITORY_COLUMNS,
        (
            [
                t.code,
                t.name,
                t.region.code,
                "1" if t.is_active else "0",
                LIST_SEPARATOR.join(sorted(u.code for u in t.units.all())),
                *(getattr(t, column) for column in TERRITORY_TEXT_COLUMNS),
            ]
            for t in Territory.objects.select_related("region").prefetch_related("units").order_by("code")
        ),
    )


def agents_csv_export() -> str:
    """Every agent, in the columns agents_import reads (two queries), through the one safe CSV
    writer (common.exports)."""
    return csv_text(
        AGENT_COLUMNS,
        (
            [
                a.email,
                a.first_name,
                a.last_name,
                a.phone,
                a.language,
                LIST_SEPARATOR.join(sorted(t.code for t in a.territories.all())),
                "1" if a.is_active else "0",
            ]
            for a in Agent.objects.prefetch_related("territories").order_by("email")
        ),
    )
