from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Language, User


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    """Sign-in by emailed code is for PAJ agents (no password to remember on a phone) and
    candidates. EER staff see every file: an email inbox alone must not open their account, so
    for them the form goes on as for an unknown address (no code is sent, nothing tells which)."""

    def clean_email(self) -> str:
        email = super().clean_email()
        user = getattr(self, "_user", None)
        if user is not None and (user.role in User.STAFF_ROLES or user.is_staff or user.is_superuser):
            self._user = None
        return email


class AccountForm(forms.Form):
    """ "Mon compte": the name, the language of the emails and, for those who receive it (the
    counsellors), the daily digest."""

    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom de famille"), max_length=150)
    language = forms.ChoiceField(
        label=_("Langue de correspondance"),
        choices=Language.choices,
        widget=forms.RadioSelect,
        help_text=_("La langue des courriels que la plateforme vous envoie."),
    )
    daily_digest = forms.BooleanField(
        label=_("Recevoir le résumé quotidien des réponses à mes orientations (chaque jour à 17 h)"),
        required=False,
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "first_name": user.first_name,
                "last_name": user.last_name,
                "language": user.language,
                "daily_digest": user.daily_digest,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        if not receives_digest(user):
            del self.fields["daily_digest"]


def receives_digest(user: User) -> bool:
    """The daily digest of answers goes to counsellors (referrals_answers_digest)."""
    return user.is_counsellor
