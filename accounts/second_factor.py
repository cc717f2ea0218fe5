"""A second factor for the accounts that see every file (EER counsellors, coordinators, the admin).

With allauth's MFA (TOTP, passkeys, recovery codes): a staff member without one is sent to set
one up before any other page; a staff session that was not opened with one (or that did not just
set one up) is ended and must sign in again. A password reset never opens a session by itself
(ACCOUNT_LOGIN_ON_PASSWORD_RESET is off): the sign-in that follows asks for the second factor.
Agents and candidates may add a passkey; nothing is required of them."""

import datetime
import time

from allauth.account.authentication import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn.views import remove_webauthn as allauth_remove_webauthn
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .sessions import SIGNED_IN_AT

ENROLLED_IN_SESSION = "second_factor_enrolled"
# Where a staff member without a second factor may still go: setting one up (allauth's pages under
# /comptes/), signing out, the language switch, the health check, static files.
OPEN_PREFIXES = ("/comptes/", "/i18n/", "/sante/", "/static/")
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def session_used_second_factor(request) -> bool:
    """Signed in with a second factor (allauth's authentication records), or set one up since
    signing in (its code or passkey was just used to create it)."""
    if request.session.get(ENROLLED_IN_SESSION):
        return True
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


class StaffSecondFactorMiddleware:
    """After the messages and the staff session's timeouts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff_member
            and not session_used_second_factor(request)
        ):
            refusal = self._refusal(request, user)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _refusal(self, request, user):
        signed_in = request.session.get(SIGNED_IN_AT) or time.time()
        signed_in_at = datetime.datetime.fromtimestamp(signed_in, tz=datetime.UTC)
        created = list(
            Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).values_list("created_at", flat=True)
        )
        if any(at >= signed_in_at for at in created):
            request.session[ENROLLED_IN_SESSION] = True  # set up in this session: proven
            return None
        if created:
            # A session opened without the second factor the account has (an old session, a
            # sign-in that went around it): signed out, and asked for it at the next sign-in.
            logout(request)
            messages.info(request, _("Reconnectez-vous avec votre second facteur."))
            return redirect_to_login(request.get_full_path())
        if request.path.startswith(OPEN_PREFIXES):
            return None
        messages.info(
            request,
            _(
                "Votre compte donne accès aux dossiers de toutes les personnes : protégez-le d'un second facteur "
                "(application d'authentification ou clé d'accès) avant de continuer."
            ),
        )
        return redirect(reverse("mfa_index"))


def is_last_second_factor(authenticator: Authenticator) -> bool:
    """A staff member's only TOTP or passkey: removing it would leave the account that sees every
    file without a second factor."""
    user = authenticator.user
    if authenticator.type not in SECOND_FACTORS or not user.is_staff_member:
        return False
    return not Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exclude(pk=authenticator.pk).exists()


class MFAAdapter(DefaultMFAAdapter):
    """allauth's MFA with the platform's rule: staff keep at least one second factor (the TOTP
    deactivation form asks `can_delete_authenticator`; the passkey removal goes through
    remove_passkey below)."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": gettext_lazy(
            "Votre compte donne accès aux dossiers : ajoutez un autre second facteur avant de retirer celui-ci."
        ),
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        return not is_last_second_factor(authenticator)


def remove_passkey(request, pk: int):
    """allauth's passkey removal, refused for a staff member's last second factor."""
    authenticator = Authenticator.objects.filter(user_id=request.user.pk, pk=pk).first()
    if request.method == "POST" and authenticator is not None and is_last_second_factor(authenticator):
        messages.error(request, MFAAdapter.error_messages["cannot_delete_authenticator"])
        return redirect("accounts:account")
    return allauth_remove_webauthn(request, pk=pk)
