"""The consents a candidate gives, one per purpose, and the text shown for each (Québec's Law 25).

The texts and their versions live here only: the registration form and Mon dossier show them, and
each Consent row records the version the person saw. Change a text → give it a new version."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Candidate, Consent


@dataclass(frozen=True)
class ConsentText:
    version: str
    text: Promise  # what the person agrees to: the checkbox's label
    explanation: Promise  # why, and what happens if they do not


CONSENT_TEXTS: dict[str, ConsentText] = {
    Consent.Purpose.COACHING: ConsentText(
        version="2026-11-coaching-v1",
        text=_("Emplois en régions peut conserver et utiliser mon dossier pour m'accompagner."),
        explanation=_(
            "Obligatoire pour continuer : sans ce consentement, Emplois en régions ne peut pas traiter votre "
            "inscription. Seul·e·s les conseiller·ère·s d'Emplois en régions voient votre dossier."
        ),
    ),
    Consent.Purpose.SHARING: ConsentText(
        version="2026-11-sharing-v1",
        text=_("Mon résumé et mon CV peuvent être transmis aux agent·e·s Place aux jeunes de mes territoires visés."),
        explanation=_(
            "Facultatif pour l'instant. Ce consentement sera nécessaire avant que votre conseiller·ère vous oriente "
            "vers un territoire. Vous pourrez le donner plus tard dans « Mon dossier »."
        ),
    ),
    Consent.Purpose.NEWS: ConsentText(
        version="2026-11-news-v1",
        text=_("Je veux recevoir les nouvelles de Place aux jeunes en région."),
        explanation=_("Facultatif. Des courriels sur les activités et les régions ; vous pouvez vous désabonner."),
    ),
}


def latest_consents(candidate: Candidate) -> dict[str, Consent | None]:
    """Each purpose's current row (the latest), or None. Reads `candidate.consents.all()`, so a
    `prefetch_related("consents")` makes it free."""
    return _latest(candidate.consents.all())


def _latest(rows: Iterable[Consent]) -> dict[str, Consent | None]:
    latest: dict[str, Consent | None] = dict.fromkeys(CONSENT_TEXTS)
    for row in sorted(rows, key=lambda row: (row.created_at, row.pk)):
        latest[row.purpose] = row
    return latest


def granted_consents(candidate: Candidate) -> dict[str, bool]:
    """Purpose → whether it is currently given (False when never asked)."""
    return {purpose: bool(row and row.granted) for purpose, row in latest_consents(candidate).items()}
