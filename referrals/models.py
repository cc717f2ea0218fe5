import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate
from territories.models import Agent, Territory


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("En attente de réponse")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Refusée")
    EXPIRED = "expired", _("Expirée")
    WITHDRAWN = "withdrawn", _("Retirée")


class ReferralQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ReferralStatus.PENDING)


class Referral(models.Model):
    """A counsellor's referral of one candidate to one PAJ territory."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="referrals")
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="referrals")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sent_referrals")
    message = models.TextField(_("message à l'agent·e"), blank=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    decline_reason = models.TextField(_("raison du refus"), blank=True)
    answered_by = models.ForeignKey(Agent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")
        constraints = [
            models.UniqueConstraint(
                fields=["candidate"],
                condition=Q(status="pending"),
                name="referral_one_open_per_candidate",
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate} → {self.territory}"

    @property
    def is_open(self) -> bool:
        return self.status == ReferralStatus.PENDING and self.expires_at > timezone.now()


class ReferralLinkQuerySet(models.QuerySet):
    def for_token(self, token: str):
        return self.filter(token_hash=ReferralLink.hash_token(token))


class ReferralLink(models.Model):
    """The link in an agent's email. Only the SHA-256 of its random token is stored."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="links")
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="referral_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("lien d'orientation")
        verbose_name_plural = _("liens d'orientation")

    def __str__(self) -> str:
        return f"{self.referral} / {self.agent}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class ReferralTransition(models.Model):
    """The referral's log: who moved it from which status to which, when and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_agent = models.ForeignKey(Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("transition d'orientation")
        verbose_name_plural = _("transitions d'orientation")

    def __str__(self) -> str:
        return f"{self.from_status or '-'}→{self.to_status}"
