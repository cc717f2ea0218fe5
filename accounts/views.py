"""The account page ("Mon compte"), for every role: the second factor, signing out everywhere."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .services import user_sign_out_everywhere


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html")


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    user_sign_out_everywhere(request=request, user=request.user)
    messages.success(request, _("Vos autres appareils sont déconnectés. Celui-ci reste connecté."))
    return redirect("accounts:account")
