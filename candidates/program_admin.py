"""The settlement programs' admin with their eligibility conditions: the profile and immigration
status codes are the candidates app's vocabulary, which the territories app (below) cannot
import; so the candidates app registers the programs' admin again with those choices."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from territories.admin import SettlementProgramAdmin
from territories.models import SettlementProgram

from .choices import ImmigrationStatus, ProfileKind


class ProgramEligibilityForm(forms.ModelForm):
    profile_kinds = forms.MultipleChoiceField(
        label=_("Profils admissibles"),
        choices=ProfileKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun coché : tous les profils."),
    )
    immigration_statuses = forms.MultipleChoiceField(
        label=_("Statuts d'immigration admissibles"),
        choices=ImmigrationStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun coché : pas de condition de statut."),
    )

    class Meta:
        model = SettlementProgram
        fields = (
            "name_fr",
            "name_en",
            "operator",
            "eligibility_fr",
            "eligibility_en",
            "amount",
            "help_kind",
            "url",
            "regions",
            "territories",
            "age_min",
            "age_max",
            "profile_kinds",
            "immigration_statuses",
            "occupation_keywords",
            "deadline",
            "is_active",
        )

    def clean(self):
        data = super().clean()
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", _("L'âge maximum doit être au moins l'âge minimum."))
        return data


admin.site.unregister(SettlementProgram)


@admin.register(SettlementProgram)
class EligibleSettlementProgramAdmin(SettlementProgramAdmin):
    form = ProgramEligibilityForm
    list_display = ("name_fr", "operator", "help_kind", "amount", "deadline", "is_active")
