from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from candidates.consents import CONSENT_TEXTS
from candidates.models import Consent
from candidates.signup import SignupIdentityForm


class IdentityForm(SignupIdentityForm):
    """Step 1's own fields (the address and the password are the account's: allauth's pages)."""


class ConsentsForm(forms.Form):
    """One checkbox per purpose: ticked, the consent is given; unticked, it is withdrawn."""

    coaching = forms.BooleanField(label=CONSENT_TEXTS[Consent.Purpose.COACHING].text, required=False)
    sharing = forms.BooleanField(label=CONSENT_TEXTS[Consent.Purpose.SHARING].text, required=False)
    news = forms.BooleanField(label=CONSENT_TEXTS[Consent.Purpose.NEWS].text, required=False)

    def choices(self) -> dict[str, bool]:
        return {purpose: self.cleaned_data[purpose] for purpose in Consent.Purpose.values}


class AccountDeleteForm(forms.Form):
    """The person confirms, with their password when their account has one."""

    password = forms.CharField(
        label=_("Votre mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("Je comprends que mon compte et mes données seront supprimés définitivement."),
        required=True,
    )

    def __init__(self, user: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Ce mot de passe n'est pas le bon."), code="password_incorrect")
        return password
