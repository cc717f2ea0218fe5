import csv
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User

from .models import AdminUnit, Agent, Region, Territory

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


class AgentAccountError(Exception):
    """An agent's account cannot be created or linked as asked; nothing was changed. The message
    is for people."""


def agent_account_ensure(*, agent: Agent) -> User:
    """Give the agent an account to sign in with a code sent by email (no password), or bring the
    one they have in line with their record: email, names, language, active or not. Creates the
    account with a verified address, or links an agent's account that has the same email. Safe to
    call again. Refuses an address that belongs to a candidate's or a counsellor's account, or to
    another agent's."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        locked = Agent.objects.select_for_update().select_related("user").get(pk=agent.pk)
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
        created = user is None
        if created:
            user = User.objects.create_user(email=email, role=User.Role.AGENT)  # unusable password
        elif user.role != User.Role.AGENT:
            raise AgentAccountError(_("Le compte relié à cet·te agent·e n'est pas un compte d'agent·e."))
        user.email = email
        user.first_name, user.last_name = locked.first_name, locked.last_name
        user.language = locked.language
        user.is_active = locked.is_active
        user.save(update_fields=["email", "first_name", "last_name", "language", "is_active"])
        EmailAddress.objects.filter(user=user).exclude(email__iexact=email).delete()
        address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
        if address is None:
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        elif not (address.verified and address.primary):
            address.verified = address.primary = True
            address.save(update_fields=["verified", "primary"])
        if locked.user_id != user.pk:
            locked.user = user
            locked.save(update_fields=["user"])
    agent.user = user
    logger.info(
        "agent_account_ensure agent=%s user=%s created=%s active=%s", agent.pk, user.pk, created, user.is_active
    )
    return user
