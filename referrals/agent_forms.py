from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from accounts.models import Language
from common.text import PlainTextAreaField, PlainTextField

from .models import FollowUpStep
from .services import NOTE_REQUIRED_STEPS


class FollowUpForm(forms.Form):
    """One follow-up step, among the steps still possible (agent_services.follow_up_open_steps)."""

    step = forms.ChoiceField(label=_("Étape"))
    occurred_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"), initial=timezone.localdate
    )
    note = PlainTextAreaField(
        # Not "Note": Django's own French catalogue translates that word to "Remarque".
        label=_("Note sur cette étape"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Obligatoire pour les suivis à 3, 6 et 12 mois et pour terminer le suivi (la raison). "
            "Le ou la conseiller·ère EER la voit ; la personne candidate, non."
        ),
    )

    def __init__(self, *args, steps: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [(step, FollowUpStep(step).label) for step in steps]
        self.fields["occurred_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_occurred_on(self):
        occurred_on = self.cleaned_data["occurred_on"]
        if occurred_on > timezone.localdate():
            raise forms.ValidationError(_("Cette date est dans le futur."), code="future")
        return occurred_on

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("step") in NOTE_REQUIRED_STEPS and not cleaned.get("note"):
            self.add_error("note", _("Une note est nécessaire pour cette étape."))
        return cleaned


class ReferToEerForm(forms.Form):
    """An agent sends a person to EER coaching (the reverse referral)."""

    first_name = PlainTextField(label=_("Prénom"), max_length=100)
    last_name = PlainTextField(label=_("Nom de famille"), max_length=100)
    email = forms.EmailField(label=_("Courriel"), max_length=254)
    phone = PhoneNumberField(
        label=_("Téléphone"),
        required=False,
        region="CA",
        widget=forms.TextInput({"inputmode": "tel"}),
        help_text=_("Facultatif. Par exemple : 514 555-0123 ou +33 6 12 34 56 78."),
    )
    language = forms.ChoiceField(
        label=_("Langue de correspondance"), choices=Language.choices, widget=forms.RadioSelect, initial=Language.FR
    )
    note = PlainTextAreaField(
        label=_("Votre note pour EER"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Le projet de la personne, ce qui reste à mûrir (CV, reconnaissance des diplômes, …)."),
    )
    consent = forms.BooleanField(
        label=_("La personne a accepté d'être accompagnée par EER et que ses coordonnées lui soient transmises."),
        required=True,
    )
