"""Step 1 of the registration: the extra fields of allauth's sign-up form (allauth adds the email
and password fields); the form's `signup()` hands the work to a service."""

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from accounts.models import Language
from common.date_fields import DatePartsField
from common.text import clean_name

from .models import AGE_MIN, years_ago
from .services.registration import candidate_start

OLDEST = 100


class SignupIdentityForm(forms.Form):
    first_name = forms.CharField(
        label=_("Prénom"), max_length=100, widget=forms.TextInput({"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Nom de famille"), max_length=100, widget=forms.TextInput({"autocomplete": "family-name"})
    )
    date_of_birth = DatePartsField(label=_("Date de naissance"), help_text=_("Le programme s'adresse aux 18 à 35 ans."))
    phone = PhoneNumberField(
        label=_("Téléphone"),
        required=False,
        region="CA",
        widget=forms.TextInput({"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("Facultatif. Par exemple : 514 555-0123 ou +33 6 12 34 56 78."),
    )
    language = forms.ChoiceField(
        label=_("Langue de correspondance"), choices=Language.choices, widget=forms.RadioSelect, initial=Language.FR
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The correspondence language follows the language the person reads the site in.
        if "language" not in self.initial:
            self.fields["language"].initial = Language.EN if get_language().startswith("en") else Language.FR

    def clean_first_name(self) -> str:
        return clean_name(self.cleaned_data["first_name"])

    def clean_last_name(self) -> str:
        return clean_name(self.cleaned_data["last_name"])

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError(_("Cette date est dans le futur."), code="future")
        if born < years_ago(OLDEST):
            raise forms.ValidationError(_("Vérifiez l'année de naissance."), code="too_old")
        if born > years_ago(AGE_MIN):
            raise forms.ValidationError(
                _("Il faut avoir au moins 18 ans pour s'inscrire. Revenez nous voir à vos 18 ans !"), code="under_18"
            )
        return born

    def signup(self, request, user) -> None:
        candidate_start(
            user=user,
            first_name=self.cleaned_data["first_name"],
            last_name=self.cleaned_data["last_name"],
            date_of_birth=self.cleaned_data["date_of_birth"],
            phone=self.cleaned_data.get("phone") or "",
            language=self.cleaned_data["language"],
        )
