from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.models import ProfileKind
from territories.models import Region, Territory

from .models import Activity, ActivityKind, ActivityLanguage
from .services import ACTIVITY_FIELDS
from .validation import activity_errors


class CalendarFilterForm(forms.Form):
    """The public calendar's filters; every one optional."""

    region = forms.ChoiceField(label=_("Région"), required=False)
    kind = forms.ChoiceField(
        label=_("Type d'activité"), required=False, choices=[("", _("Tous les types")), *ActivityKind.choices]
    )
    start = forms.DateField(
        label=_("À partir du"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    language = forms.ChoiceField(
        label=_("Langue"),
        required=False,
        choices=[("", _("Toutes les langues")), ("fr", _("En français")), ("en", _("En anglais"))],
    )

    def __init__(self, *args, regions: list[Region], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Toutes les régions"))] + [(r.code, r.name) for r in regions]
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-control" if name == "start" else "form-select"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ActivityForm(forms.ModelForm):
    """An agent's new activity, for one of their territories. Times are read in Québec's time."""

    profile_kinds = forms.MultipleChoiceField(
        label=_("Profils admis"),
        choices=ProfileKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun coché : tous les profils."),
    )

    class Meta:
        model = Activity
        fields = ("territory", *ACTIVITY_FIELDS)
        widgets = {
            "starts_at": LocalDateTimeInput(),
            "ends_at": LocalDateTimeInput(),
            "registration_deadline": LocalDateTimeInput(),
            "cancellation_deadline": LocalDateTimeInput(),
            "description_fr": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "cancellation_deadline": _("Heure du Québec. Après, la personne écrit à l'agent·e pour annuler."),
            "starts_at": _("Heure du Québec."),
        }

    def __init__(self, *args, territories, registered: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = territories
        self.fields["territory"].empty_label = None
        self.fields["language"].choices = ActivityLanguage.choices
        self.registered = registered
        if self.instance.pk:  # an activity keeps its territory
            self.fields["territory"].disabled = True

    def clean(self):
        data = super().clean()
        errors = activity_errors(data, registered=self.registered, is_new=not self.instance.pk)
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data

    def activity_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("territory")
        return data


def agent_territories(agent) -> "forms.QuerySet":
    return Territory.objects.active().filter(agents=agent).order_by("name")


class AttendanceForm(forms.Form):
    registration = forms.IntegerField(widget=forms.HiddenInput)
    attended = forms.TypedChoiceField(
        choices=[("1", _("Présent·e")), ("0", _("Absent·e"))], coerce=lambda value: value == "1"
    )
