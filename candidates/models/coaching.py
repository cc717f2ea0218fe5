"""What the counsellors write and decide about a file."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .files import Candidate


class CoachingNote(models.Model):
    """What a counsellor wrote after a meeting. Dated and signed; its author may correct it for
    NOTE_EDIT_WINDOW after writing it, then it stands as written (services.coaching_note_edit)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="coaching_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["candidate", "created_at"], name="coaching_note_candidate")]
        verbose_name = _("note d'accompagnement")
        verbose_name_plural = _("notes d'accompagnement")

    def __str__(self) -> str:
        return f"{self.candidate_id} / {self.created_at:%Y-%m-%d %H:%M}"

    NOTE_EDIT_WINDOW = datetime.timedelta(hours=24)

    def is_editable_by(self, user, *, now: datetime.datetime | None = None) -> bool:
        return self.author_id == user.pk and (now or timezone.now()) < self.created_at + self.NOTE_EDIT_WINDOW

    @property
    def was_edited(self) -> bool:
        return self.updated_at - self.created_at > datetime.timedelta(seconds=1)


class MaturityAssessment(models.Model):
    """The counsellor's judgement of a project: the checklist items only a counsellor can tick,
    and the decision "projet mûr" (who, when, why).

    A table of its own rather than fields on Candidate: it is the counsellor's assessment, not the
    person's answers (they never see or export it as theirs), it exists only for files someone
    coaches, and it keeps the candidates table — the queue's 100,000 rows — narrow. The items the
    profile already answers (targets, diploma recognition, housing and household) are derived by
    `maturity_checklist`, never stored, so they cannot disagree with the profile. The decision
    keeps the file in COACHING: "mature" is a judgement recorded here, which `referral_send`
    requires, not a status every list and filter would have to learn."""

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, related_name="maturity")
    cv_reworked = models.BooleanField(_("CV retravaillé"), default=False)
    work_authorization_valid = models.BooleanField(_("autorisation de travail valide"), default=False)
    french_adequate = models.BooleanField(
        _("français suffisant pour l'emploi visé, ou francisation en cours"), default=False
    )
    region_explored = models.BooleanField(
        _("région déjà explorée (séance d'information, séjour exploratoire)"), default=False
    )
    # When the tick comes from an attended séjour exploratoire (activities): its date and territory.
    region_explored_on = models.DateField(_("région explorée le"), null=True, blank=True)
    region_explored_territory = models.ForeignKey(
        "territories.Territory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territoire exploré"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    mature_at = models.DateTimeField(_("projet déclaré mûr le"), null=True, blank=True)
    mature_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mature_note = models.TextField(_("note sur la décision"), max_length=3000, blank=True)

    TICKED_FIELDS = ("cv_reworked", "work_authorization_valid", "french_adequate", "region_explored")

    class Meta:
        verbose_name = _("évaluation de la maturité du projet")
        verbose_name_plural = _("évaluations de la maturité du projet")

    def __str__(self) -> str:
        return f"{self.candidate_id}: {'mûr' if self.is_mature else 'en cours'}"

    @property
    def is_mature(self) -> bool:
        return self.mature_at is not None
