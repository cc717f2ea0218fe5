from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from candidates.models import Candidate


class PersonFile(Candidate):
    """A person's file as the privacy officer handles it in the admin: access requests and
    anonymization (privacy.files_admin). No table of its own."""

    class Meta:
        proxy = True
        verbose_name = _("dossier d'une personne (demandes d'accès, anonymisation)")
        verbose_name_plural = _("dossiers des personnes (demandes d'accès, anonymisation)")
        default_permissions = ()


class IncidentKind(models.TextChoices):
    """What happened (P-39.1, s. 3.6)."""

    ACCESS = "access", _("Accès non autorisé")
    USE = "use", _("Utilisation non autorisée")
    DISCLOSURE = "disclosure", _("Communication non autorisée")
    LOSS = "loss", _("Perte")
    OTHER = "other", _("Autre atteinte à la protection")


class InjuryRisk(models.TextChoices):
    """The organisation's conclusion on the risk of serious injury (P-39.1, s. 3.7)."""

    ASSESSING = "assessing", _("En cours d'évaluation")
    SERIOUS = "serious", _("Risque de préjudice sérieux")
    NOT_SERIOUS = "not_serious", _("Pas de risque de préjudice sérieux")


class PersonsNotice(models.TextChoices):
    """How the persons concerned were told (P-39.1, s. 3.5; Regulation, s. 4 and 5)."""

    INDIVIDUAL = "individual", _("Avis à chaque personne")
    PUBLIC = "public", _("Avis public")


class ConfidentialityIncident(models.Model):
    """One row of the register of confidentiality incidents (P-39.1, s. 3.8), with the items of the
    Regulation respecting confidentiality incidents, s. 7. Kept at least five years after the
    incident became known (s. 7, last paragraph): nobody deletes a row. Written through
    privacy.services.incident_save; read and exported by the officers only (privacy.admin)."""

    organisation = models.CharField(
        _("organisation"),
        max_length=8,
        choices=Organisation.choices,
        help_text=_("L'organisation qui tient ce registre pour cet incident."),
    )
    kind = models.CharField(_("nature de l'incident"), max_length=12, choices=IncidentKind.choices)
    # s. 7 (1)
    information_description = models.TextField(
        _("renseignements personnels visés"),
        blank=True,
        help_text=_(
            "Quels renseignements (par exemple : nom, courriel, statut d'immigration, CV). "
            "Jamais les renseignements eux-mêmes."
        ),
    )
    information_undescribable_reason = models.TextField(
        _("pourquoi ils ne peuvent pas être décrits"),
        blank=True,
        help_text=_("À remplir seulement si les renseignements visés ne sont pas connus."),
    )
    # s. 7 (2), (3), (4), (5)
    circumstances = models.TextField(_("circonstances de l'incident"))
    occurred_from = models.DateField(_("date de l'incident (ou début de la période)"))
    occurred_to = models.DateField(_("fin de la période"), null=True, blank=True)
    occurred_approximate = models.BooleanField(_("date approximative"), default=False)
    known_on = models.DateField(_("date où l'organisation en a eu connaissance"))
    persons_count = models.PositiveIntegerField(_("nombre de personnes concernées"))
    persons_count_approximate = models.BooleanField(_("nombre approximatif"), default=False)
    # s. 7 (6)
    risk = models.CharField(
        _("risque de préjudice sérieux"), max_length=12, choices=InjuryRisk.choices, default=InjuryRisk.ASSESSING
    )
    risk_sensitivity = models.TextField(_("sensibilité des renseignements"), blank=True)
    risk_consequences = models.TextField(_("conséquences appréhendées de leur utilisation"), blank=True)
    risk_misuse_likelihood = models.TextField(
        _("probabilité qu'ils soient utilisés à des fins préjudiciables"), blank=True
    )
    # s. 7 (7)
    commission_notified_on = models.DateField(
        _("avis à la Commission d'accès à l'information le"), null=True, blank=True
    )
    persons_notified_on = models.DateField(_("avis aux personnes concernées le"), null=True, blank=True)
    persons_notice = models.CharField(
        _("forme de l'avis aux personnes"), max_length=12, choices=PersonsNotice.choices, blank=True
    )
    public_notice_reason = models.TextField(_("motif de l'avis public"), blank=True)
    # s. 7 (8)
    measures = models.TextField(_("mesures prises pour diminuer le risque de préjudice"), blank=True)

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("inscrit par"),
    )
    recorded_at = models.DateTimeField(_("inscrit le"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("incident de confidentialité")
        verbose_name_plural = _("registre des incidents de confidentialité")
        ordering = ["-known_on", "-pk"]
        default_permissions = ()  # the officers' group decides (privacy.officers), not permissions

    def __str__(self) -> str:
        return _("Incident n° %(pk)s (%(kind)s)") % {"pk": self.pk, "kind": self.get_kind_display()}

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if not self.information_description.strip() and not self.information_undescribable_reason.strip():
            errors["information_description"] = _(
                "Décrivez les renseignements visés, ou dites pourquoi ils ne peuvent pas être décrits."
            )
        for name in ("occurred_from", "occurred_to", "known_on", "commission_notified_on", "persons_notified_on"):
            value = getattr(self, name)
            if value and value > today:
                errors[name] = _("Cette date est dans le futur.")
        if self.occurred_from and self.occurred_to and self.occurred_to < self.occurred_from:
            errors["occurred_to"] = _("La fin de la période précède son début.")
        if self.known_on:
            for name in ("commission_notified_on", "persons_notified_on"):
                value = getattr(self, name)
                if value and value < self.known_on and name not in errors:
                    errors[name] = _("Un avis ne peut pas précéder la date où l'incident a été connu.")
        if self.persons_notified_on and not self.persons_notice:
            errors["persons_notice"] = _("Dites comment les personnes ont été avisées.")
        if self.persons_notice and not self.persons_notified_on:
            errors["persons_notified_on"] = _("Donnez la date de l'avis aux personnes.")
        if self.persons_notice == PersonsNotice.PUBLIC and not self.public_notice_reason.strip():
            errors["public_notice_reason"] = _("Donnez le motif de l'avis public.")
        if errors:
            raise ValidationError(errors)

    @property
    def notices_due(self) -> bool:
        """A risk of serious injury and a notice not yet given (P-39.1, s. 3.5: promptly)."""
        return self.risk == InjuryRisk.SERIOUS and not (self.commission_notified_on and self.persons_notified_on)
