"""Who read a file: the access log Québec's Law 25 calls for."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.labels import ChoiceLabels
from territories.models import Agent

from .files import Candidate


class AccessKind(models.TextChoices):
    FILE_PAGE = "file_page", _("Dossier (conseil)")
    CV = "cv", _("CV téléchargé")
    MERGE_PREVIEW = "merge_preview", _("Aperçu d'une fusion")
    AGENT_PAGE = "agent_page", _("Orientation (espace agent·e)")
    AGENT_LINK = "agent_link", _("Orientation (lien du courriel)")
    AGENT_ACTIVITY = "agent_activity", _("Activité (espace agent·e)")
    ADMIN = "admin", _("Administration")
    EXPORT = "export", _("Export des données")
    ACCESS_REQUEST = "access_request", _("Demande d'accès (responsable de la protection)")


class FileAccess(ChoiceLabels, models.Model):
    """A reading of a person's file by someone: one row per reader, file, kind of reading and hour,
    written once, never changed. Counsellors read it on the file, the
    privacy officer in the admin, the person in Mon dossier (organisation and role, not names)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("lecture"), max_length=20, choices=AccessKind.choices, default=AccessKind.FILE_PAGE)
    # "user:<id>" or "agent:<id>", and the hour of the reading: one row per reader, file, kind and hour.
    reader = models.CharField(max_length=40)
    hour = models.DateTimeField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["candidate", "at"], name="file_access_candidate_at")]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "reader", "kind", "hour"], name="file_access_once_an_hour")
        ]
        verbose_name = _("consultation du dossier")
        verbose_name_plural = _("consultations des dossiers")

    def __str__(self) -> str:
        return f"{self.candidate_id} / {self.reader} / {self.at:%Y-%m-%d %H:%M}"
