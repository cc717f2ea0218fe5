"""allauth's sign-up form, answering in the same time whether or not the address already has an
account (ACCOUNT_FORMS["signup"]). A module of its own: allauth imports candidates.signup while
building the forms this one extends."""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password


class SignupForm(AllauthSignupForm):
    def try_save(self, request):
        """For an address that already has an account, allauth only emails its owner, which took
        ~50 ms against ~360 ms for a new account: a timing oracle of who is registered. Most of a
        new account's cost is hashing the password (PBKDF2), so that work is done here too."""
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)
