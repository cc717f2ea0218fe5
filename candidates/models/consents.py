"""Consents, one row per choice, each with the exact text the person read."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .files import Candidate


class Consent(models.Model):
    """One consent given or withdrawn, for one purpose (Québec's Law 25). Rows are never edited:
    the latest row for a purpose is the candidate's current choice."""

    class Purpose(models.TextChoices):
        COACHING = "coaching", _("Accompagnement par EER")
        SHARING = "sharing", _("Partage avec les agent·e·s PAJ des territoires visés")
        NEWS = "news", _("Nouvelles de Place aux jeunes en région")

    class Method(models.TextChoices):
        REGISTRATION_FORM = "registration_form", _("Formulaire d'inscription")
        MY_FILE = "my_file", _("Page « Mon dossier »")
        ACCOUNT_DELETION = "account_deletion", _("Suppression du compte")
        AGENT = "agent", _("Recueilli par un·e agent·e PAJ")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    granted = models.BooleanField()
    text_version = models.CharField(max_length=40)
    method = models.CharField(max_length=40, choices=Method.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consentement")
        indexes = [models.Index(fields=["candidate", "purpose", "created_at"], name="consent_latest")]
        verbose_name_plural = _("consentements")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} : {_('donné') if self.granted else _('retiré')}"
