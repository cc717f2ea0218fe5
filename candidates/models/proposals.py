"""A territory the counsellor proposes to a person who did not choose it (Québec's Law 25: a
referral goes only to the territories the person chose, or agreed to later)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.labels import ChoiceLabels
from territories.models import Territory

from .files import Candidate


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("En attente de réponse")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Refusée")
    WITHDRAWN = "withdrawn", _("Retirée")


class TerritoryProposalQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ProposalStatus.PENDING)

    def accepted(self):
        return self.filter(status=ProposalStatus.ACCEPTED)


class TerritoryProposal(ChoiceLabels, models.Model):
    """A counsellor proposes a territory the person did not choose; the person accepts or declines
    it in Mon dossier. Accepted, the territory counts among the person's chosen ones (a referral
    may then go there). Written only by candidates.services.proposals."""

    Status = ProposalStatus

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="territory_proposals")
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="+", verbose_name=_("territoire"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposé par"),
    )
    # What the counsellor wrote to the person, shown as typed; emptied when the file is anonymized.
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    created_at = models.DateTimeField(_("proposé le"), auto_now_add=True)
    # When it was accepted, declined or withdrawn.
    answered_at = models.DateTimeField(_("réponse le"), null=True, blank=True)

    objects = TerritoryProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("territoire proposé")
        verbose_name_plural = _("territoires proposés")
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "territory"],
                condition=models.Q(status=ProposalStatus.PENDING),
                name="territory_proposal_one_pending",
            )
        ]
        indexes = [models.Index(fields=["candidate", "status"], name="territory_proposal_status")]

    def __str__(self) -> str:
        return f"{self.territory} ({self.get_status_display()})"
