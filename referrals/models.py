import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate
from common.labels import ChoiceLabels
from common.prefetch import ReadsOneStraight
from territories.models import Agent, Territory


class ReferralStatus(models.TextChoices):
    QUEUED = "queued", _("À venir (territoire suivant de la liste)")
    PENDING = "pending", _("En attente de réponse")
    # The agent said they are looking into it: reminders stop, the deadline may be extended once.
    UNDER_REVIEW = "under_review", _("À l'étude")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Refusée")
    EXPIRED = "expired", _("Expirée")
    WITHDRAWN = "withdrawn", _("Retirée")


# The states in which a referral waits for the agent's answer (and the agent may see the person).
AWAITING_ANSWER = (ReferralStatus.PENDING, ReferralStatus.UNDER_REVIEW)

# The states a referral does not leave.
FINAL_STATUSES = (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.EXPIRED, ReferralStatus.WITHDRAWN)


class TransitionCode(models.TextChoices):
    """Why a referral changed status. Put into words when read (referrals.history), in the
    reader's language, with the transition's `params`."""

    SENT = "sent", _("Envoyée par le ou la conseiller·ère")
    SENT_WITHOUT_MATURITY = "sent_without_maturity", _("Envoyée sans projet déclaré mûr")
    ACCEPTED = "accepted", _("Acceptée par l'agent·e")
    UNDER_REVIEW = "under_review", _("Mise à l'étude par l'agent·e")
    DEADLINE_EXTENDED = "deadline_extended", _("Délai de réponse prolongé par l'agent·e")
    DECLINED = "declined", _("Refusée par l'agent·e")
    EXPIRED = "expired", _("Aucune réponse dans le délai")
    NEXT_IN_LIST = "next_in_list", _("Territoire suivant de la liste")
    SKIPPED = "skipped", _("Territoire inactif ou sans agent·e actif·ve au moment de son tour")
    ACCEPTED_ELSEWHERE = "accepted_elsewhere", _("Acceptée par un autre territoire de la liste")
    LIST_WITHDRAWN = "list_withdrawn", _("Orientation précédente de la liste retirée")
    WITHDRAWN = "withdrawn", _("Retirée par le ou la conseiller·ère")
    SHARING_WITHDRAWN = "sharing_withdrawn", _("Consentement au partage retiré par la personne")
    ACCOUNT_DELETED = "account_deleted", _("Compte supprimé par la personne")
    FILE_ANONYMIZED = "file_anonymized", _("Dossier anonymisé")


class DeclineReason(models.TextChoices):
    NO_JOBS = "no_jobs", _("Peu d'emplois dans le domaine de la personne sur le territoire")
    HOUSING = "housing", _("Logement trop difficile à trouver en ce moment")
    PROFILE = "profile", _("Profil hors du mandat du territoire")
    CAPACITY = "capacity", _("Pas de disponibilité pour accompagner la personne en ce moment")
    BETTER_ELSEWHERE = "better_elsewhere", _("Un autre territoire conviendrait mieux au projet")
    OTHER = "other", _("Autre raison")


class ReferralQuerySet(ReadsOneStraight):
    """The named reads of referrals. A read that finds one reads its prefetches straight
    (common.prefetch)."""

    def pending(self):
        """Waiting for an answer, and the agent has not said they are looking into it (the
        reminders go to these only)."""
        return self.filter(status=ReferralStatus.PENDING)

    def awaiting_answer(self):
        """Waiting for the agent's answer: pending or under review."""
        return self.filter(status__in=AWAITING_ANSWER)

    def overdue(self, now=None):
        """Referrals waiting for an answer whose time to answer has run out."""
        return self.awaiting_answer().filter(expires_at__lte=now or timezone.now())

    def for_agent(self, agent):
        """What an agent may see: the referrals sent to their territories (never a queued one). The
        territories' ids come from the agent (Agent.territory_ids) rather than a join to its link
        table: with that join, PostgreSQL spent 8 ms planning the detail page's read (8 tables, the
        100,000-file bench), 2.7 without it."""
        return self.filter(territory_id__in=agent.territory_ids).exclude(status=ReferralStatus.QUEUED)

    def successor_of(self, referral):
        """The referral of the same list that took over from this declined or expired one, if any."""
        return (
            self.filter(chain=referral.chain, rank__gt=referral.rank)
            .exclude(status__in=(ReferralStatus.QUEUED, ReferralStatus.WITHDRAWN))
            .select_related("territory")
            .order_by("rank")
            .first()
        )

    def chain_of(self, referral):
        """The ordered list of territories the counsellor chose together, first to last."""
        return self.filter(chain=referral.chain).order_by("rank")


class Referral(ChoiceLabels, models.Model):
    """A counsellor's referral of one candidate to one PAJ territory."""

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="referrals")
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="referrals")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sent_referrals")
    message = models.TextField(_("message à l'agent·e"), blank=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    # The counsellor's ordered list: the referrals sent together share a chain and are ranked 1 to 3.
    # Only the first is pending; the others wait as QUEUED and become pending in turn (fallback).
    chain = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    rank = models.PositiveSmallIntegerField(_("rang"), default=1)
    decline_category = models.CharField(_("motif du refus"), max_length=20, choices=DeclineReason.choices, blank=True)
    decline_reason = models.TextField(_("raison du refus"), blank=True)
    answered_by = models.ForeignKey(Agent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    # Null while QUEUED: the time to answer starts when the referral reaches the territory.
    expires_at = models.DateTimeField(null=True, blank=True)
    # When the agent extended the deadline (once, while under review: referral_extend_deadline).
    deadline_extended_at = models.DateTimeField(_("délai prolongé le"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        # Newest list first, each list in the counsellor's order (referral_send gives a list's
        # referrals one created_at).
        ordering = ["-created_at", "rank", "-id"]
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")
        constraints = [
            models.UniqueConstraint(
                fields=["candidate"],
                condition=Q(status__in=["pending", "under_review"]),
                name="referral_one_open_per_candidate",
            ),
            models.UniqueConstraint(fields=["chain", "rank"], name="referral_chain_rank_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="referral_status_expiry"),
            # The queue's "Réponses" tab: answered since the counsellor's last visit (a few rows
            # of the whole table, which it scanned: 4 ms at 100,000 files, ten times that at 1M).
            models.Index(fields=["answered_at"], name="referral_answered_at", condition=Q(answered_at__isnull=False)),
            # An agent's lists and tab counts: their territories' referrals of a status. Without it
            # PostgreSQL walked every open referral (~10,000 at 100,000 files) for one territory's
            # 150: the agent's home page 7.7 -> 1.6 ms for its list.
            models.Index(fields=["territory", "status"], name="referral_territory_status"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} → {self.territory}"

    @property
    def awaits_answer(self) -> bool:
        return self.status in AWAITING_ANSWER

    @property
    def is_open(self) -> bool:
        return self.awaits_answer and self.expires_at is not None and self.expires_at > timezone.now()


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
    # The link works until the referral's deadline; a link re-sent after that deadline (the agent
    # asked for one) only shows what became of the referral, for a few days.
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("lien d'orientation")
        verbose_name_plural = _("liens d'orientation")

    def __str__(self) -> str:
        return f"{self.referral} / {self.agent}"

    def works(self, now=None) -> bool:
        """Whether the link still opens its page: until the referral's deadline, or, for a link
        sent after that deadline (the agent asked for one), until its own."""
        referral = self.referral
        deadlines = [d for d in (self.expires_at, referral.expires_at) if d is not None]
        if self.expires_at and referral.expires_at and self.created_at and self.created_at >= referral.expires_at:
            deadlines = [self.expires_at]
        return bool(deadlines) and min(deadlines) > (now or timezone.now())

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class ReferralTransition(ChoiceLabels, models.Model):
    """The referral's log: who moved it from which status to which, when and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_agent = models.ForeignKey(Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Why, as a code and its parameters (referrals.history puts them into words when read).
    code = models.CharField(max_length=30, choices=TransitionCode.choices, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # What a person typed: an agent's details on a decline, a counsellor's reason to withdraw or
    # to refer before the project was declared mature.
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("transition d'orientation")
        verbose_name_plural = _("transitions d'orientation")

    def __str__(self) -> str:
        return f"{self.from_status or '-'}→{self.to_status}"


class FollowUpStep(models.TextChoices):
    FIRST_CONTACT = "first_contact", _("Premier contact fait")
    EXPLORATORY_STAY = "exploratory_stay", _("Séjour exploratoire")
    JOB_FOUND = "job_found", _("Emploi trouvé")
    MOVED = "moved", _("Déménagement en région")
    SETTLED = "settled", _("Établi·e dans la région")
    CHECKIN_3 = "checkin_3", _("Suivi 3 mois après le déménagement")
    CHECKIN_6 = "checkin_6", _("Suivi 6 mois après le déménagement")
    CHECKIN_12 = "checkin_12", _("Suivi 12 mois après le déménagement")
    CLOSED = "closed", _("Suivi terminé")


class FollowUp(ChoiceLabels, models.Model):
    """One step of an accepted candidate's follow-up, recorded by an agent of the territory."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="follow_ups")
    step = models.CharField(_("étape"), max_length=20, choices=FollowUpStep.choices)
    occurred_on = models.DateField(_("date"))
    note = models.TextField(_("note"), max_length=2000, blank=True)
    by_agent = models.ForeignKey(Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "created_at", "id"]
        verbose_name = _("étape du suivi")
        verbose_name_plural = _("étapes du suivi")
        constraints = [
            # Each step happens once in a follow-up; recording it twice is a mistake, refused.
            models.UniqueConstraint(fields=["referral", "step"], name="follow_up_step_once"),
        ]

    def __str__(self) -> str:
        return f"{self.referral} : {self.get_step_display()}"
