from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from common.exports import download

from .models import AdminUnit, Agent, Municipality, Region, SettlementProgram, Territory
from .services import (
    AGENT_COLUMNS,
    LIST_SEPARATOR,
    TERRITORY_COLUMNS,
    AgentAccountError,
    ImportReport,
    agent_account_ensure,
    agents_csv_export,
    agents_import,
    territories_csv_export,
    territories_import,
)

MAX_IMPORT_BYTES = 2 * 1024 * 1024


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=_("Fichier CSV (UTF-8, séparé par des virgules ou des points-virgules)"))


class CsvConfirmForm(forms.Form):
    """The previewed file goes back with the confirmation; the import checks it all again."""

    content = forms.CharField(widget=forms.HiddenInput, max_length=MAX_IMPORT_BYTES)


class CsvImportExportMixin:
    """Two admin views: "export-csv/" and "import-csv/" (upload → preview of every row's
    creation, change or error → confirm; nothing is written before the confirmation, and nothing
    at all while any row is in error)."""

    change_list_template = "admin/territories/csv_change_list.html"
    csv_columns: list[str]
    csv_export: Callable[[], str]
    csv_import: Callable[..., ImportReport]
    csv_name: str

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("import-csv/", self.admin_site.admin_view(self.import_csv_view), name=f"{prefix}_import_csv"),
            path("export-csv/", self.admin_site.admin_view(self.export_csv_view), name=f"{prefix}_export_csv"),
            *super().get_urls(),
        ]

    def export_csv_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return download(
            type(self).csv_export(),
            filename=f"{self.csv_name}-{timezone.localdate():%Y-%m-%d}.csv",
            content_type="text/csv; charset=utf-8",
        )

    def import_csv_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Importer un fichier CSV : %(name)s") % {"name": self.opts.verbose_name_plural},
            "columns": self.csv_columns,
            "separator": LIST_SEPARATOR,
            "form": CsvUploadForm(),
        }
        if request.method == "POST" and "confirm" in request.POST:
            confirm = CsvConfirmForm(request.POST)
            if confirm.is_valid():
                report = type(self).csv_import(text=confirm.cleaned_data["content"], wet_run=True)
                if report.written:
                    self.message_user(
                        request,
                        _("Import terminé : %(created)d création(s), %(updated)d modification(s).")
                        % {"created": report.count("create"), "updated": report.count("update")},
                        messages.SUCCESS,
                    )
                    return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
                context["report"] = report
        elif request.method == "POST":
            form = CsvUploadForm(request.POST, request.FILES)
            context["form"] = form
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    if upload.size > MAX_IMPORT_BYTES:
                        raise ValueError
                    text = upload.read().decode("utf-8-sig")
                except (UnicodeDecodeError, ValueError):
                    form.add_error("file", _("Le fichier doit être un CSV en UTF-8 de moins de 2 Mo."))
                else:
                    report = type(self).csv_import(text=text, wet_run=False)
                    context["report"] = report
                    if not report.has_errors:
                        context["confirm_form"] = CsvConfirmForm(initial={"content": text})
        return TemplateResponse(request, "admin/territories/csv_import.html", context)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fr", "name_en")
    search_fields = ("code", "name_fr", "name_en")


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "region")
    list_filter = ("kind", "region")
    list_select_related = ("region",)
    search_fields = ("code", "name")


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    """Reference data from the MAMH, loaded by `load_territories`: read here, corrected in the file."""

    list_display = ("code", "name", "unit")
    list_filter = ("unit__region",)
    list_select_related = ("unit",)
    search_fields = ("code", "name", "search_name")
    readonly_fields = ("code", "name", "unit", "source")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Territory)
class TerritoryAdmin(CsvImportExportMixin, admin.ModelAdmin):
    list_display = ("code", "name", "region", "is_active")
    list_filter = ("is_active", "region")
    list_select_related = ("region",)
    search_fields = ("code", "name")
    filter_horizontal = ("units",)
    fieldsets = (
        (None, {"fields": ("code", "name", "region", "units", "is_active", "source")}),
        (
            _("Ce que le territoire offre (répertoire public)"),
            {
                "description": _(
                    "Chaque rubrique en français et en anglais ; sans texte anglais, le français s'affiche."
                ),
                "fields": [(f"{field}_fr", f"{field}_en") for field in Territory.TEXT_FIELDS],
            },
        ),
    )
    csv_columns = TERRITORY_COLUMNS
    csv_export = staticmethod(territories_csv_export)
    csv_import = staticmethod(territories_import)
    csv_name = "territoires"


@admin.register(SettlementProgram)
class SettlementProgramAdmin(admin.ModelAdmin):
    list_display = ("name_fr", "operator", "amount", "is_active")
    list_filter = ("is_active", "regions")
    search_fields = ("name_fr", "name_en", "operator")
    filter_horizontal = ("regions", "territories")


class AgentAdminForm(forms.ModelForm):
    class Meta:
        model = Agent
        fields = ("first_name", "last_name", "email", "phone", "language", "territories", "is_active")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(role=User.Role.AGENT).exists():
            raise forms.ValidationError(
                _("Cette adresse est celle d'un compte de candidat·e ou de conseiller·ère : choisissez-en une autre.")
            )
        return email


@admin.register(Agent)
class AgentAdmin(CsvImportExportMixin, admin.ModelAdmin):
    form = AgentAdminForm
    csv_columns = AGENT_COLUMNS
    csv_export = staticmethod(agents_csv_export)
    csv_import = staticmethod(agents_import)
    csv_name = "agents"
    actions = ["ensure_accounts"]
    list_display = ("last_name", "first_name", "email", "phone", "language", "is_active")
    list_filter = ("is_active", "language", "territories__region")
    search_fields = ("last_name", "first_name", "email")
    filter_horizontal = ("territories",)
    readonly_fields = ("user",)  # agent_account_ensure manages it

    def save_model(self, request, obj, form, change) -> None:
        """Every agent gets an account to sign in by code; deactivating the agent deactivates it."""
        super().save_model(request, obj, form, change)
        try:
            agent_account_ensure(agent=obj)
        except AgentAccountError as error:
            self.message_user(request, str(error), messages.ERROR)

    @admin.action(description=_("Créer ou mettre à jour le compte de connexion des agent·e·s sélectionné·e·s"))
    def ensure_accounts(self, request, queryset) -> None:
        done = 0
        for agent in queryset:
            try:
                agent_account_ensure(agent=agent)
            except AgentAccountError as error:
                self.message_user(request, f"{agent} : {error}", messages.ERROR)
            else:
                done += 1
        self.message_user(
            request,
            ngettext("%(count)d compte d'agent·e à jour.", "%(count)d comptes d'agent·e·s à jour.", done)
            % {"count": done},
            messages.SUCCESS,
        )
