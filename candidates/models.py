from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Language
from territories.models import Territory


class ProfileKind(models.TextChoices):
    NATIVE = "native", _("Originaire d'une région")
    NEO_RURAL = "neo_rural", _("Néo-rural·e (de la ville vers une région)")
    IMMIGRANT = "immigrant", _("Personne immigrante")


class CandidateStatus(models.TextChoices):
    NEW = "new", _("En attente de triage")
    COACHING = "coaching", _("Accompagnement EER")
    REFERRED = "referred", _("Orienté·e vers un territoire")
    TAKEN_ON = "taken_on", _("Pris·e en charge par un·e agent·e PAJ")
    MOVED = "moved", _("Installé·e en région")
    SETTLED = "settled", _("Enraciné·e")
    ON_HOLD = "on_hold", _("En pause")
    CLOSED = "closed", _("Dossier fermé")


class CandidateQuerySet(models.QuerySet):
    def awaiting_triage(self):
        return self.filter(status=CandidateStatus.NEW)

    def open_files(self):
        return self.exclude(status=CandidateStatus.CLOSED)

    def for_list(self):
        return self.select_related("target_territory__region", "counsellor")


class Candidate(models.Model):
    """A person's file: who they are and where their settlement project stands."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidate",
    )
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("courriel"))
    language = models.CharField(_("langue"), max_length=8, choices=Language.choices, default=Language.FR)
    profile_kind = models.CharField(_("profil"), max_length=20, choices=ProfileKind.choices)
    target_territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territoire visé"),
    )
    status = models.CharField(_("statut"), max_length=20, choices=CandidateStatus.choices, default=CandidateStatus.NEW)
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="counselled_candidates",
        verbose_name=_("conseiller·ère"),
    )
    created_at = models.DateTimeField(_("inscrit·e le"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("candidat·e")
        verbose_name_plural = _("candidat·e·s")
        indexes = [models.Index(fields=["status", "created_at"], name="candidate_status_created")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def has_consent(self, purpose: str) -> bool:
        latest = self.consents.filter(purpose=purpose).order_by("-created_at", "-id").first()
        return bool(latest and latest.granted)


class Consent(models.Model):
    """One consent given or withdrawn, for one purpose (Québec's Law 25). Rows are never edited:
    the latest row for a purpose is the candidate's current choice."""

    class Purpose(models.TextChoices):
        COACHING = "coaching", _("Accompagnement par EER")
        SHARING = "sharing", _("Partage avec les agent·e·s PAJ du territoire visé")

    class Method(models.TextChoices):
        REGISTRATION_FORM = "registration_form", _("Formulaire d'inscription")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    granted = models.BooleanField()
    text_version = models.CharField(max_length=40)
    method = models.CharField(max_length=40, choices=Method.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consentement")
        verbose_name_plural = _("consentements")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} : {_('donné') if self.granted else _('retiré')}"


class CandidateEvent(models.Model):
    """The file's timeline: every change of status, who made it and why."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Inscription")
        STATUS_CHANGED = "status_changed", _("Changement de statut")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=CandidateStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CandidateStatus.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("événement du dossier")
        verbose_name_plural = _("événements du dossier")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.from_status}→{self.to_status}"
