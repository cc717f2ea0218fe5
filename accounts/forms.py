from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm

from .models import User


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
