"""The maturity checklist a counsellor goes through before declaring a project mature."""

import dataclasses

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .choices import DiplomaRecognition, HousingNeed
from .models import Candidate, MaturityAssessment


@dataclasses.dataclass(frozen=True)
class MaturityItem:
    """One line of the maturity checklist. `done` is None when the item does not apply."""

    key: str
    label: str
    done: bool | None
    ticked: bool  # ticked by the counsellor (else derived from the profile)
    detail: str = ""


def _explored_detail(assessment: MaturityAssessment | None) -> str:
    """Where and when, when the tick came from an attended séjour exploratoire."""
    if assessment is None or not assessment.region_explored or assessment.region_explored_on is None:
        return ""
    territory = assessment.region_explored_territory
    return _("Séjour exploratoire le %(date)s, %(territory)s") % {
        "date": date_format(assessment.region_explored_on, "DATE_FORMAT"),
        "territory": territory.name if territory else "—",
    }


def maturity_checklist(candidate: Candidate, assessment: MaturityAssessment | None) -> list[MaturityItem]:
    """The checklist, in the order counsellors go through it. Derived items read the profile
    (use the prefetched targets); ticked items read the assessment (none yet: nothing ticked)."""
    ticked = {name: bool(assessment and getattr(assessment, name)) for name in MaturityAssessment.TICKED_FIELDS}
    if candidate.is_immigrant:
        diploma = candidate.diploma_recognition in (
            DiplomaRecognition.IN_PROGRESS,
            DiplomaRecognition.OBTAINED,
            DiplomaRecognition.NOT_NEEDED,
        )
        diploma_detail = candidate.get_diploma_recognition_display() or _("non renseignée")
    else:
        diploma, diploma_detail = None, _("sans objet : pas une personne immigrante")
    housing_known = candidate.housing_need not in ("", HousingNeed.UNKNOWN)
    household_known = candidate.has_partner is not None and candidate.children_count is not None
    return [
        MaturityItem(
            "targets",
            _("Territoires visés choisis"),
            bool(list(candidate.targets.all())),
            ticked=False,
        ),
        MaturityItem("cv_reworked", _("CV retravaillé"), ticked["cv_reworked"], ticked=True),
        MaturityItem(
            "diploma",
            _("Reconnaissance des diplômes commencée ou pas nécessaire"),
            diploma,
            ticked=False,
            detail=diploma_detail,
        ),
        MaturityItem(
            "work_authorization_valid",
            _("Autorisation de travail valide"),
            ticked["work_authorization_valid"],
            ticked=True,
            detail=candidate.get_immigration_status_display() if candidate.is_immigrant else "",
        ),
        MaturityItem(
            "french_adequate",
            _("Français suffisant pour l'emploi visé, ou francisation en cours"),
            ticked["french_adequate"],
            ticked=True,
            detail=candidate.get_french_level_display(),
        ),
        MaturityItem(
            "housing",
            _("Besoins de logement et du ménage connus"),
            housing_known and household_known,
            ticked=False,
            detail=""
            if housing_known and household_known
            else _("à préciser : %(what)s")
            % {
                "what": ", ".join(
                    str(what)
                    for what, known in ((_("logement"), housing_known), (_("ménage"), household_known))
                    if not known
                )
            },
        ),
        MaturityItem(
            "region_explored",
            _("Région déjà explorée (séance d'information, séjour exploratoire)"),
            ticked["region_explored"],
            ticked=True,
            detail=_explored_detail(assessment),
        ),
    ]
