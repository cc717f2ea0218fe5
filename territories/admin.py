from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User

from .models import AdminUnit, Agent, Region, Territory
from .services import AgentAccountError, agent_account_ensure


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


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "is_active")
    list_filter = ("is_active", "region")
    list_select_related = ("region",)
    search_fields = ("code", "name")
    filter_horizontal = ("units",)


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
class AgentAdmin(admin.ModelAdmin):
    form = AgentAdminForm
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
