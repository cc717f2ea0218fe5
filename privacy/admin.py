"""The officers' admin: people's files (privacy.files_admin) and the register of confidentiality
incidents, both for the officers' group and superusers only (privacy.officers)."""

import logging

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.exports import csv_response, xlsx_response

from . import files_admin  # noqa: F401  (registers the officer's admin of people's files)
from .models import ConfidentialityIncident
from .officers import is_officer
from .selectors import incident_register
from .services import incident_save

logger = logging.getLogger(__name__)


class OfficersOnlyMixin:
    """Seen, added to and changed by the officers only; nothing is ever deleted."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_officer(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_officer(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_officer(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_officer(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ConfidentialityIncident)
class ConfidentialityIncidentAdmin(OfficersOnlyMixin, admin.ModelAdmin):
    change_list_template = "admin/privacy/incident_change_list.html"
    list_display = ("number", "known", "kind", "notices_to_give", "risk", "persons")
    list_display_links = ("number",)
    list_filter = ("organisation", "risk", "kind")
    date_hierarchy = "known_on"
    readonly_fields = ("recorded_by", "recorded_at", "updated_at")
    actions = None
    fieldsets = (
        (None, {"fields": ("organisation", "kind")}),
        (
            _("Renseignements visés"),
            {"fields": ("information_description", "information_undescribable_reason")},
        ),
        (
            _("Circonstances et dates"),
            {
                "fields": (
                    "circumstances",
                    ("occurred_from", "occurred_to", "occurred_approximate"),
                    "known_on",
                    ("persons_count", "persons_count_approximate"),
                )
            },
        ),
        (
            _("Évaluation du risque de préjudice sérieux"),
            {
                "description": _(
                    "La sensibilité des renseignements, les conséquences appréhendées de leur utilisation et la "
                    "probabilité qu'ils soient utilisés à des fins préjudiciables (Loi, art. 3.7)."
                ),
                "fields": ("risk", "risk_sensitivity", "risk_consequences", "risk_misuse_likelihood"),
            },
        ),
        (
            _("Avis"),
            {
                "description": _(
                    "S'il y a un risque de préjudice sérieux : aviser avec diligence la Commission d'accès à "
                    "l'information et les personnes concernées (Loi, art. 3.5)."
                ),
                "fields": (
                    "commission_notified_on",
                    ("persons_notified_on", "persons_notice"),
                    "public_notice_reason",
                ),
            },
        ),
        (_("Mesures prises"), {"fields": ("measures",)}),
        (_("Inscription au registre"), {"fields": ("recorded_by", "recorded_at", "updated_at")}),
    )

    @admin.display(description=_("n°"), ordering="pk")
    def number(self, incident: ConfidentialityIncident) -> int:
        return incident.pk

    @admin.display(description=_("connu le"), ordering="known_on")
    def known(self, incident: ConfidentialityIncident):
        return incident.known_on

    @admin.display(description=_("personnes"), ordering="persons_count")
    def persons(self, incident: ConfidentialityIncident) -> str:
        return f"≈ {incident.persons_count}" if incident.persons_count_approximate else str(incident.persons_count)

    def get_fieldsets(self, request: HttpRequest, obj=None):
        """Who recorded it, and when, once it is recorded."""
        return self.fieldsets if obj is not None else self.fieldsets[:-1]

    @admin.display(description=_("avis à donner"), boolean=True)
    def notices_to_give(self, incident: ConfidentialityIncident) -> bool:
        return incident.notices_due

    def save_model(self, request: HttpRequest, obj: ConfidentialityIncident, form, change: bool) -> None:
        incident_save(incident=obj, by=request.user)

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_view),
                {"file_format": "csv"},
                name=f"{prefix}_export_csv",
            ),
            path(
                "export.xlsx",
                self.admin_site.admin_view(self.export_view),
                {"file_format": "xlsx"},
                name=f"{prefix}_export_xlsx",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest, file_format: str) -> HttpResponse:
        """The whole register, to send to the Commission when it asks (P-39.1, s. 3.8), through the
        formula-safe writer."""
        if not is_officer(request.user):
            raise PermissionDenied
        header, rows = incident_register()
        name = f"registre-incidents-{timezone.localdate():%Y-%m-%d}"
        logger.info("incident_register_export format=%s by=%s", file_format, request.user.pk)
        if file_format == "xlsx":
            return xlsx_response(header, rows, filename=f"{name}.xlsx", sheet="incidents")
        return csv_response(header, rows, filename=f"{name}.csv")
