import logging
import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import decorator_from_middleware
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from candidates.files import cv_response
from candidates.models import Consent

from .forms import Decision, ReferralAnswerForm
from .models import Referral, ReferralLink, ReferralStatus
from .services import ReferralError, referral_accept, referral_decline, referral_link_resend

logger = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


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
    # The token is in the URL: it must never leave in a Referer, even to this site's own pages.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class _LinkCsrfMiddleware(CsrfViewMiddleware):
    """Django's CSRF check, for the pages served with `Referrer-Policy: no-referrer`.

    Under that policy browsers send `Origin: null` with the page's own form (the Fetch
    standard), which Django's check refuses, so no agent could answer. Here a `null` origin is
    accepted only when the browser itself says the request comes from this site
    (`Sec-Fetch-Site: same-origin`, which a page cannot forge); the CSRF token must match as
    everywhere else."""

    def _origin_verified(self, request):
        if request.META.get("HTTP_ORIGIN") == "null":
            return request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin"
        return super()._origin_verified(request)


link_csrf_protect = decorator_from_middleware(_LinkCsrfMiddleware)


def _invalid(request: HttpRequest, token: str) -> HttpResponse:
    """Unknown, tampered and expired links get the same page: nobody learns which it was."""
    return _private(render(request, "referrals/link_invalid.html", {"token": token}, status=404))


@csrf_exempt
@link_csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The agent's link. GET and HEAD only show; a POST from the page's form acts."""
    link = _link(token)
    if link is None or not link.works():
        return _invalid(request, token)
    referral = link.referral

    form = ReferralAnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == Decision.ACCEPT:
                    referral_accept(referral=referral, agent=link.agent)
                else:
                    referral_decline(
                        referral=referral,
                        agent=link.agent,
                        category=form.cleaned_data["category"],
                        reason=form.cleaned_data["reason"],
                    )
            except ReferralError as error:
                messages.error(request, str(error))
            return _private(redirect("referrals:respond", token=token))
        status = 400
    return _private(
        render(
            request,
            "referrals/respond.html",
            {
                "referral": referral,
                "agent": link.agent,
                "form": form,
                "next_referral": _next_for_page(referral),
                "shared": referral.candidate.has_consent(Consent.Purpose.SHARING),
                "cv_url": reverse("referrals:link_cv", args=[token]),
            },
            status=status,
        )
    )


def _next_for_page(referral):
    if referral.status in (ReferralStatus.DECLINED, ReferralStatus.EXPIRED):
        return Referral.objects.successor_of(referral)
    return None


@csrf_exempt
@link_csrf_protect
@never_cache
@require_POST
def new_link(request: HttpRequest, token: str) -> HttpResponse:
    """ "Send me a new link": to the address on file of the agent the link was for, whatever was
    typed. The answer is the same whether or not the token existed."""
    if TOKEN_RE.fullmatch(token):
        referral_link_resend(token=token)
    return _private(render(request, "referrals/link_resent.html"))


@never_cache
@require_safe
def link_cv(request: HttpRequest, token: str) -> HttpResponse:
    """The candidate's CV, for the agent holding a working link, while the candidate consents to
    sharing. Otherwise the same 404 as an unknown link."""
    link = _link(token)
    if link is None or not link.works() or link.referral.status == ReferralStatus.QUEUED:
        raise Http404
    candidate = link.referral.candidate
    if not candidate.cv or not candidate.has_consent(Consent.Purpose.SHARING):
        raise Http404
    logger.info("link_cv referral=%s agent=%s", link.referral_id, link.agent_id)
    return _private(cv_response(candidate))
