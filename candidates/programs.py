"""Settlement programs a person may be eligible for, and why, in plain words: a plain function of
the file (target territories, age, profile, immigration status, occupation field) and of each
program's conditions (territories.SettlementProgram). "May be": the program's operator decides."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from territories.models import SettlementProgram, search_key
from territories.selectors import active_programs

from .choices import ImmigrationStatus, ProfileKind
from .models import Candidate


@dataclass
class ProgramMatch:
    program: SettlementProgram
    reasons: list[str] = field(default_factory=list)


def _where(program: SettlementProgram, targets: list) -> str:
    for target in targets:
        if target.territory_id in program.territory_ids or target.territory.region_id in program.region_ids:
            return target.territory.name
    return ""


def program_match(
    program: SettlementProgram, candidate: Candidate, targets: list, *, today: datetime.date
) -> ProgramMatch | None:
    """The reasons the person may be eligible, or None when a condition rules them out. An
    unknown answer (no date of birth, no status) does not rule them out: the reason says so."""
    if program.deadline is not None and program.deadline < today:
        return None
    reasons = [_("Offert dans le territoire visé %(territory)s") % {"territory": _where(program, targets)}]
    if program.age_min is not None or program.age_max is not None:
        age = candidate.age
        low, high = program.age_min or 0, program.age_max or 200
        if age is None:
            reasons.append(_("Âge demandé : à vérifier (date de naissance manquante)"))
        elif not low <= age <= high:
            return None
        else:
            reasons.append(_("Âge (%(age)s ans) dans la tranche demandée") % {"age": age})
    if program.profile_kinds:
        if candidate.profile_kind not in program.profile_kinds:
            return None
        reasons.append(_("Profil admissible : %(profile)s") % {"profile": ProfileKind(candidate.profile_kind).label})
    if program.immigration_statuses:
        if candidate.immigration_status not in program.immigration_statuses:
            return None
        reasons.append(
            _("Statut admissible : %(status)s") % {"status": ImmigrationStatus(candidate.immigration_status).label}
        )
    if keywords := program.keywords():
        occupation = search_key(candidate.occupation_field)
        found = [word for word in keywords if word in occupation]
        if not found:
            return None
        reasons.append(_("Domaine visé : %(field)s") % {"field": candidate.occupation_field})
    if program.deadline is not None:
        reasons.append(_("Demande à faire avant le %(date)s") % {"date": date_format(program.deadline, "DATE_FORMAT")})
    return ProgramMatch(program=program, reasons=reasons)


def programs_for(candidate: Candidate, *, today: datetime.date | None = None) -> list[ProgramMatch]:
    """The active programs of the person's target territories (or their regions) whose conditions
    they meet, with the reasons. No query when this process keeps the programs
    (territories.selectors.active_programs); the targets come prefetched with the file
    (CandidateQuerySet.for_list)."""
    today = today or timezone.localdate()
    targets = sorted(candidate.targets.all(), key=lambda t: t.rank)
    if not targets:
        return []
    territory_ids = {t.territory_id for t in targets}
    region_ids = {t.territory.region_id for t in targets}
    matches = []
    for program in active_programs():
        if not (program.territory_ids & territory_ids or program.region_ids & region_ids):
            continue
        if (match := program_match(program, candidate, targets, today=today)) is not None:
            matches.append(match)
    return matches
