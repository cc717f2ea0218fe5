"""Who read a file: the access log Québec's Law 25 calls for."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .files import Candidate


class FileAccess(models.Model):
    """One opening of a candidate's file by a member of staff: the access log Québec's Law 25
    calls for. Written once, never changed; never shown to candidates."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["candidate", "at"], name="file_access_candidate_at")]
        verbose_name = _("consultation du dossier")
        verbose_name_plural = _("consultations des dossiers")

    def __str__(self) -> str:
        return f"{self.candidate_id} / {self.user_id} / {self.at:%Y-%m-%d %H:%M}"
