"""The account page ("Mon compte"), for every role: name, language of the emails, the daily
digest, the second factor, signing out everywhere."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .forms import AccountForm
from .services import user_sign_out_everywhere, user_update_account


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = AccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        changed = user_update_account(
            user=user,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            language=form.cleaned_data["language"],
            daily_digest=form.cleaned_data.get("daily_digest") if "daily_digest" in form.fields else None,
        )
        response = redirect("accounts:account")
        if "language" in changed:
            # The pages follow the language chosen for the emails, from this response on.
            translation.activate(user.language)
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        messages.success(request, _("Votre compte est à jour.") if changed else _("Rien n'a changé."))
        return response
    authenticators = Authenticator.objects.filter(user=user).order_by("created_at")
    return render(request, "accounts/account.html", {"form": form, "authenticators": authenticators})


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    user_sign_out_everywhere(request=request, user=request.user)
    messages.success(request, _("Vos autres appareils sont déconnectés. Celui-ci reste connecté."))
    return redirect("accounts:account")
