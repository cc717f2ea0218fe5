"""Consents, one row per choice, each pointing to the exact text the person read, in the language
they read it (Québec's Law 25: consent given for each purpose, in clear terms, and provable)."""

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import Language
from common.labels import ChoiceLabels

from .files import Candidate


class ConsentPurpose(models.TextChoices):
    COACHING = "coaching", _("Accompagnement par EER")
    SHARING = "sharing", _("Partage avec les agent·e·s PAJ des territoires visés")
    NEWS = "news", _("Nouvelles de Place aux jeunes en région")


class SharedItem(models.TextChoices):
    """What a sharing consent lets the agents of the territories see (ConsentText.covers)."""

    SUMMARY = "summary", _("le résumé du dossier : profil, parcours, travail, projet d'installation")
    CV = "cv", _("le CV")
    COUNSELLOR_MESSAGE = "counsellor_message", _("le message et l'évaluation du ou de la conseiller·ère")
    CONTACT_AFTER_ACCEPTANCE = (
        "contact_after_acceptance",
        _("le courriel et le téléphone, une fois l'orientation acceptée"),
    )


class ConsentText(models.Model):
    """The words of one consent, for one purpose, version and language, kept for as long as a
    consent row points to them: what a person agreed to stays provable after the code changed.
    Written the first time a version is shown in a language (candidates.consents.consent_text)."""

    purpose = models.CharField(_("finalité"), max_length=20, choices=ConsentPurpose.choices)
    version = models.CharField(_("version"), max_length=40)
    language = models.CharField(_("langue"), max_length=8, choices=Language.choices)
    text = models.TextField(_("texte"))
    explanation = models.TextField(_("explication"), blank=True)
    # For "sharing": what the agents see (SharedItem values); referrals.selectors reads it.
    covers = models.JSONField(_("ce que le partage couvre"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("texte de consentement")
        verbose_name_plural = _("textes de consentement")
        constraints = [models.UniqueConstraint(fields=["purpose", "version", "language"], name="consent_text_unique")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.version} ({self.language})"


def coaching_consent_sync(candidate_ids) -> None:
    """Copy each file's latest answer for "coaching" to Candidate.coaching_consent (no answer: no),
    in the transaction that wrote the rows. Called by every write of Consent rows: Consent.save,
    ConsentQuerySet.bulk_create, and candidate_absorb, which moves rows from a file to another."""
    if not candidate_ids:
        return
    latest = (
        Consent.objects.filter(candidate=models.OuterRef("pk"), purpose=ConsentPurpose.COACHING)
        .order_by("-created_at", "-id")
        .values("granted")[:1]
    )
    Candidate.objects.filter(pk__in=set(candidate_ids)).update(
        coaching_consent=Coalesce(models.Subquery(latest), models.Value(False))
    )


def _sync_loaded(consents) -> None:
    """The files the rows hold in memory (consent_row(candidate=…)) take the new value as well."""
    for consent in consents:
        candidate = consent._state.fields_cache.get("candidate")
        if candidate is not None and consent.purpose == ConsentPurpose.COACHING:
            candidate.coaching_consent = consent.granted


class ConsentQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = super().bulk_create(objs, *args, **kwargs)
        coaching_consent_sync({obj.candidate_id for obj in objs if obj.purpose == ConsentPurpose.COACHING})
        _sync_loaded(objs)
        return objs


class Consent(ChoiceLabels, models.Model):
    """One consent given or withdrawn, for one purpose. Rows are never edited: the latest row for a
    purpose is the candidate's current choice (copied, for "coaching", to the file:
    coaching_consent_sync)."""

    Purpose = ConsentPurpose

    class Method(models.TextChoices):
        REGISTRATION_FORM = "registration_form", _("Formulaire d'inscription")
        MY_FILE = "my_file", _("Page « Mon dossier »")
        ACCOUNT_DELETION = "account_deletion", _("Suppression du compte")
        AGENT = "agent", _("Recueilli par un·e agent·e PAJ")
        EXPIRY = "expiry", _("Fin de la durée de conservation")
        ANONYMIZATION = "anonymization", _("Anonymisation du dossier")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    granted = models.BooleanField()
    text_version = models.CharField(max_length=40)
    text = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("texte lu")
    )
    method = models.CharField(max_length=40, choices=Method.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consentement")
        # A file's latest answer for a purpose (coaching_consent_sync, latest_consents), in the order
        # the lookup reads it: no sort per file.
        indexes = [models.Index(fields=["candidate", "purpose", "-created_at", "-id"], name="consent_latest")]
        verbose_name_plural = _("consentements")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} : {_('donné') if self.granted else _('retiré')}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.purpose == ConsentPurpose.COACHING:
            coaching_consent_sync([self.candidate_id])
            _sync_loaded([self])
