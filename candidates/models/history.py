"""The file's timeline."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.labels import ChoiceLabels

from ..choices import CandidateStatus, EventCode
from .files import Candidate


class CandidateEvent(ChoiceLabels, models.Model):
    """The file's timeline: every change of status, who made it and why (`code` and `params`, and
    `note` for what a person typed)."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Inscription")
        STATUS_CHANGED = "status_changed", _("Changement de statut")
        CONSENT_CHANGED = "consent_changed", _("Consentement modifié")
        CONSENT_REQUESTED = "consent_requested", _("Consentement au partage demandé")
        MERGED = "merged", _("Fusion de dossiers")
        ASSIGNED = "assigned", _("Conseiller·ère attitré·e")
        MATURITY_DECLARED = "maturity_declared", _("Projet déclaré mûr")
        MATURITY_WITHDRAWN = "maturity_withdrawn", _("Décision « projet mûr » retirée")
        REFERRAL = "referral", _("Orientation")
        AGENT_REFERRAL = "agent_referral", _("Envoyé·e par un·e agent·e PAJ")
        FOLLOW_UP = "follow_up", _("Suivi en région")
        TERRITORY_PROPOSAL = "territory_proposal", _("Proposition de territoire")
        ACTIVITY_ATTENDED = "activity_attended", _("Activité suivie")
        ANONYMIZED = "anonymized", _("Dossier anonymisé")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=CandidateStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CandidateStatus.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    # Why, as a code and its parameters (territory ids, names, dates), put into words when read, in
    # the reader's language (candidates.history). Never a sentence.
    code = models.CharField(max_length=30, choices=EventCode.choices, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # What a person typed (a reason for a pause, a decision's note, an agent's note): shown as typed.
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["candidate", "kind", "created_at"], name="candidate_event_latest")]
        verbose_name = _("événement du dossier")
        verbose_name_plural = _("événements du dossier")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.from_status}→{self.to_status}"
