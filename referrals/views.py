import logging
import re
import secrets

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import User
from candidates.files import cv_response
from candidates.models import AccessKind, CandidateTarget
from candidates.services import file_access_record
from common.statements import compiled_once
from territories.models import Territory

from .forms import ReferralAnswerForm
from .models import FollowUp, Referral, ReferralLink, ReferralStatus
from .selectors import agent_view, consents_prefetch, referral_page_context
from .services import ReferralError, referral_link_resend

logger = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


def _link(token: str) -> ReferralLink | None:
    """The link with its referral, agent, file and the rest of the page. The territory and who
    sent the referral come in queries of their own: joined with the rest (eight tables),
    PostgreSQL spent ~8 ms planning a query that ran in 0.4 ms (six tables: ~0.9 ms)."""
    if not TOKEN_RE.fullmatch(token):
        return None
    # Each read's SQL is compiled once per process (common.statements).
    link = ReferralLink.objects.select_related("agent", "referral__candidate__maturity", "referral__answered_by")
    return (
        compiled_once(link, "link.link")
        .for_token(token)
        .prefetch_related(
            Prefetch(
                "referral__territory",
                queryset=compiled_once(Territory.objects.select_related("region"), "link.territory"),
            ),
            Prefetch("referral__sent_by", queryset=compiled_once(User.objects.all(), "link.sent_by")),
            Prefetch("referral__follow_ups", queryset=compiled_once(FollowUp.objects.all(), "link.follow_ups")),
            Prefetch(
                "referral__candidate__targets", queryset=compiled_once(CandidateTarget.objects.all(), "link.targets")
            ),
            consents_prefetch("referral__candidate__"),
        )
        .first()
    )


# The emailed link's token never stays in a URL: the first GET keeps it in the session under a
# random handle and redirects to a URL with only the handle (as Django's password reset
# confirmation does). The page then works with Django's own CSRF check, the language switch, and
# no token in the browser's history, a Referer or an access log. A browser without the session
# (a mail scanner) gets a page asking to open the link again.
SESSION_KEY = "referral_links"
SESSION_LINKS_KEPT = 20


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_safe
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """The URL in the email: keep the token in the session (valid or not: the page then says the
    same thing about an unknown or an expired link) and go to the page. Changes nothing else."""
    links: dict[str, str] = request.session.get(SESSION_KEY, {})
    handle = next((handle for handle, kept in links.items() if kept == token), None)
    if handle is None:
        handle = secrets.token_urlsafe(12)
        links = dict(list(links.items())[-(SESSION_LINKS_KEPT - 1) :]) | {handle: token[:64]}
        request.session[SESSION_KEY] = links
    response = redirect("referrals:respond", handle=handle)
    response["Referrer-Policy"] = "no-referrer"  # the only response whose URL holds the token
    return _private(response)


def _token(request: HttpRequest, handle: str) -> str | None:
    return request.session.get(SESSION_KEY, {}).get(handle)


def _invalid(request: HttpRequest, handle: str) -> HttpResponse:
    """Unknown, tampered and expired links get the same page: nobody learns which it was."""
    return _private(render(request, "referrals/link_invalid.html", {"handle": handle}, status=404))


def _reopen(request: HttpRequest) -> HttpResponse:
    """No token for this handle in this browser's session (another browser, a session ended)."""
    return _private(render(request, "referrals/link_reopen.html", status=404))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def respond(request: HttpRequest, handle: str) -> HttpResponse:
    """The agent's page for one referral. GET and HEAD only show; a POST from the page's form acts."""
    token = _token(request, handle)
    if token is None:
        return _reopen(request)
    link = _link(token)
    if link is None or not link.works():
        return _invalid(request, handle)
    referral = link.referral

    form = ReferralAnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if form.needs_confirmation:
                return _private(
                    render(
                        request,
                        "referrals/agent/confirm_accept.html",
                        {
                            "referral": referral,
                            "sees": agent_view(referral, link.agent),
                            "action": request.path,
                            "back": request.path,
                        },
                    )
                )
            try:
                messages.success(request, form.save(referral=referral, agent=link.agent))
            except ReferralError as error:
                messages.error(request, str(error))
            return _private(redirect("referrals:respond", handle=handle))
        status = 400
    sees = agent_view(referral, link.agent)
    if sees.person and request.method != "HEAD":
        file_access_record(candidate_id=referral.candidate_id, agent=link.agent, kind=AccessKind.AGENT_LINK)
    return _private(
        render(
            request,
            "referrals/respond.html",
            {
                "referral": referral,
                "agent": link.agent,
                "form": form,
                "next_referral": _next_for_page(referral),
                "sees": sees,
                "cv_url": reverse("referrals:link_cv", args=[handle]),
                **referral_page_context(referral),
            },
            status=status,
        )
    )


def _next_for_page(referral):
    if referral.status in (ReferralStatus.DECLINED, ReferralStatus.EXPIRED):
        return Referral.objects.successor_of(referral)
    return None


@never_cache
@require_POST
def new_link(request: HttpRequest, handle: str) -> HttpResponse:
    """ "Send me a new link": to the address on file of the agent the link was for, whatever was
    typed. The answer is the same whether or not the token existed."""
    token = _token(request, handle)
    if token and TOKEN_RE.fullmatch(token):
        referral_link_resend(token=token)
    return _private(render(request, "referrals/link_resent.html"))


@never_cache
@require_safe
def link_cv(request: HttpRequest, handle: str) -> HttpResponse:
    """The candidate's CV, for the agent holding a working link, while the referral is theirs and
    the candidate's sharing consent covers it (agent_view). Otherwise the same 404 as an unknown
    link."""
    link = _link(_token(request, handle) or "")
    if link is None or not link.works() or link.referral.status == ReferralStatus.QUEUED:
        raise Http404
    candidate = link.referral.candidate
    if not candidate.cv or not agent_view(link.referral, link.agent).cv:
        raise Http404
    file_access_record(candidate_id=candidate.pk, agent=link.agent, kind=AccessKind.CV)
    logger.info("link_cv referral=%s agent=%s", link.referral_id, link.agent_id)
    return _private(cv_response(candidate))
