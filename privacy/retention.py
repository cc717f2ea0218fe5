"""The retention rules: what is kept how long (settings.RETENTION, in days). The purge
(privacy.purge) applies them and the privacy page lists them, from this one table."""

import dataclasses
import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclasses.dataclass(frozen=True)
class Rule:
    code: str  # the key in settings.RETENTION
    what: Promise  # what is kept
    then: Promise  # what happens at the end

    @property
    def days(self) -> int:
        return settings.RETENTION[self.code]

    def cutoff(self, now: datetime.datetime | None = None) -> datetime.datetime:
        return (now or timezone.now()) - datetime.timedelta(days=self.days)


RULES = (
    Rule(
        "drafts",
        _("Une inscription commencée et jamais soumise, à compter de sa dernière modification"),
        _("Le dossier est anonymisé et le compte supprimé."),
    ),
    Rule(
        "coaching_withdrawn",
        _("Un dossier dont la personne a retiré son consentement à l'accompagnement"),
        _("Le dossier est anonymisé, sauf si la personne redonne son consentement; elle en est avisée par courriel."),
    ),
    Rule(
        "cvs",
        _("Le CV, après la fermeture du dossier ou l'installation de la personne"),
        _("Le fichier est effacé."),
    ),
    Rule(
        "closed_files",
        _("Un dossier fermé, ou dont la personne est installée en région"),
        _(
            "Le dossier est anonymisé et le compte supprimé; seuls des faits sans identité restent "
            "pour les statistiques."
        ),
    ),
    Rule(
        "history_text",
        _("Le texte libre de l'historique (notes, motifs, messages)"),
        _("Le texte est effacé; les faits (dates, étapes) restent."),
    ),
    Rule(
        "outbox",
        _("Un courriel envoyé (son texte est effacé dès l'envoi)"),
        _("La trace de l'envoi est supprimée."),
    ),
    Rule(
        "sessions",
        _("Une session de connexion (appareil, adresse IP)"),
        _("La session est supprimée."),
    ),
    Rule(
        "access_log",
        _("Le journal des consultations des dossiers"),
        _("L'entrée du journal est supprimée."),
    ),
)

RULES_BY_CODE = {rule.code: rule for rule in RULES}
