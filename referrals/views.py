import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import counsellor_required
from candidates.models import Candidate

from .forms import ReferralAnswerForm, ReferralSendForm
from .models import ReferralLink, ReferralStatus
from .services import ReferralError, referral_accept, referral_decline, referral_send

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


@counsellor_required
@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=pk)
    form = ReferralSendForm(request.POST)
    if form.is_valid():
        try:
            referral = referral_send(
                candidate=candidate,
                territory=form.cleaned_data["territory"],
                by=request.user,
                message=form.cleaned_data["message"],
                override_reason=form.cleaned_data.get("override_reason", ""),
            )
        except ReferralError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Orientation envoyée au territoire %(territory)s : ses agent·e·s vont recevoir un lien.")
                % {"territory": referral.territory.name},
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("candidates:file", pk=candidate.pk)


def _link(token: str) -> ReferralLink | None:
    if not TOKEN_RE.fullmatch(token):
        return None
    return (
        ReferralLink.objects.for_token(token)
        .select_related(
            "agent",
            "referral__candidate",
            "referral__territory__region",
            "referral__sent_by",
            "referral__answered_by",
        )
        .first()
    )


def _private(response: HttpResponse) -> HttpResponse:
    # The token must never leave in a Referer: "same-origin" sends none to other sites. Not
    # "no-referrer": under it Chromium posts the page's own form with `Origin: null`, which
    # Django's CSRF check rightly refuses, and no agent could answer.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The agent's link. GET and HEAD only show; a POST from the page's form acts."""
    link = _link(token)
    referral = link.referral if link else None
    if link is None or (referral.status == ReferralStatus.PENDING and not referral.is_open):
        return _private(render(request, "referrals/link_invalid.html", status=404))

    form = ReferralAnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "accept":
                    referral_accept(referral=referral, agent=link.agent)
                else:
                    referral_decline(referral=referral, agent=link.agent, reason=form.cleaned_data["reason"])
            except ReferralError as error:
                messages.error(request, str(error))
            return redirect("referrals:respond", token=token)
        status = 400
    return _private(
        render(
            request,
            "referrals/respond.html",
            {"referral": referral, "agent": link.agent, "form": form},
            status=status,
        )
    )
