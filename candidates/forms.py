from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from territories.forms import TerritoryChoiceField

from .models import ProfileKind


class RegistrationForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    last_name = forms.CharField(label=_("Nom de famille"), max_length=100)
    email = forms.EmailField(label=_("Adresse courriel"), max_length=254)
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Au moins 10 caractères, pas uniquement des chiffres ni un mot de passe courant."),
    )
    profile_kind = forms.ChoiceField(label=_("Votre profil"), choices=ProfileKind.choices, widget=forms.RadioSelect)
    target_territory = TerritoryChoiceField(
        label=_("Territoire visé"),
        help_text=_(
            "Le territoire où vous aimeriez vous installer. Vous pourrez en changer avec votre conseiller·ère."
        ),
    )
    consent = forms.BooleanField(
        label=_(
            "J'accepte qu'Emplois en régions conserve mon dossier pour m'accompagner et le transmette, "
            "le moment venu, aux agent·e·s Place aux jeunes du territoire visé."
        ),
        error_messages={"required": _("Ce consentement est nécessaire pour ouvrir votre dossier.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("Un compte existe déjà avec cette adresse. Connectez-vous, ou réinitialisez votre mot de passe."),
                code="email_taken",
            )
        return email

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            user = User(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned
