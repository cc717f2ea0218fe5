import datetime

from allauth.account.views import SignupView
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import counsellor_required
from accounts.models import User
from referrals.forms import ReferralSendForm
from referrals.models import Referral

from .filters import QueueFilter
from .models import Candidate
from .services import CandidateError, candidate_take_on, candidates_assign, counsellor_mark_referrals_seen

QUEUE_PAGE_SIZE = 50


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "candidates/home.html")


# Step 1 of the registration is allauth's sign-up (email, password, and SignupIdentityForm's fields),
# followed by the email code. All or nothing: the account, its address and the draft file.
register = transaction.atomic(SignupView.as_view())


QUEUE_TABS = {
    "a-trier": gettext_lazy("À trier"),
    "mes-candidats": gettext_lazy("Mes candidat·e·s"),
    "tous": gettext_lazy("Tous les dossiers"),
    "orientations": gettext_lazy("Orientations en attente"),
    "reponses": gettext_lazy("Réponses depuis ma dernière visite"),
}
DEFAULT_TAB = "a-trier"
# The sortable columns (?tri=name, or ?tri=-name for descending): anything else is ignored.
# Each ends with a unique key so that pages never overlap.
QUEUE_SORTS = {
    "nom": ("last_name", "first_name", "id"),
    "attente": ("submitted_at", "id"),
    "statut": ("status", "submitted_at", "id"),
    "profil": ("profile_kind", "submitted_at", "id"),
    # Groups the files by counsellor, in the order the accounts were created: sorting on their
    # names joins and sorts every row (140 ms at 100,000 files on PostgreSQL, against 10 ms).
    "conseiller": ("counsellor_id", "submitted_at", "id"),
}
DEFAULT_SORT = "attente"  # the longest wait first
WAITING_LIMIT_BUSINESS_DAYS = 5  # Québec's immigrant-support service: a first meeting within 5 business days
ANSWERS_FIRST_VISIT_DAYS = 30  # a first visit of the "Réponses" tab shows the last 30 days


def business_days_ago(days: int, today: datetime.date | None = None) -> datetime.date:
    """The date `days` business days (Monday to Friday) before `today`. Québec's statutory holidays
    are not counted out: a file waiting over one is flagged a day early, which errs on the safe side."""
    day = today or timezone.localdate()
    while days > 0:
        day -= datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _page_number(value: str | None) -> int:
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1


def _sort(value: str | None) -> tuple[str, tuple[str, ...]]:
    """The sort asked for when it is a known column, else the default one."""
    value = value or ""
    column = value.removeprefix("-")
    if column not in QUEUE_SORTS:
        value, column = DEFAULT_SORT, DEFAULT_SORT
    fields = QUEUE_SORTS[column]
    if value.startswith("-"):
        fields = tuple(f"-{field}" for field in fields)
    return value, fields


def _sort_headers(sort: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the ?tri= value of its link (a second click reverses) and its
    aria-sort when the list is sorted by it."""
    headers = {}
    for column in QUEUE_SORTS:
        aria_sort = {column: "ascending", f"-{column}": "descending"}.get(sort, "")
        headers[column] = {"next": column if sort != column else f"-{column}", "aria_sort": aria_sort}
    return headers


def _tab_candidates(tab: str, user, answers_since: datetime.datetime):
    candidates = Candidate.objects.all()
    if tab == "a-trier":
        return candidates.to_triage()
    if tab == "mes-candidats":
        return candidates.counselled_by(user)
    if tab == "orientations":
        return candidates.open_files().with_pending_referral()
    if tab == "reponses":
        return candidates.with_referral_answered_since(answers_since, user=user)
    return candidates.open_files()


@counsellor_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The counsellors' lists, one per tab, with filters, sorting and pages all in the URL. An htmx
    request gets only the part it targets: the results, or the tabs with the filters and results."""
    tab = request.GET.get("vue", DEFAULT_TAB)
    if tab not in QUEUE_TABS:
        tab = DEFAULT_TAB
    sort, order_by = _sort(request.GET.get("tri"))
    now = timezone.now()
    answers_since = request.user.referrals_seen_at or now - datetime.timedelta(days=ANSWERS_FIRST_VISIT_DAYS)
    filterset = QueueFilter(request.GET or None, queryset=_tab_candidates(tab, request.user, answers_since))
    candidates = filterset.qs.for_list().with_waiting_since().order_by(*order_by)
    # A real COUNT(*), which counsellors use. Measured on PostgreSQL 15 at 100,000 files (p50):
    # 9 ms for all open files, 1 ms for mine, 21 ms for pending referrals, 27-30 ms for the
    # triage tab and region filters (an EXISTS per row). Still within budget; switch to a capped
    # count (LIMIT 1001 in a subquery) if the table grows tenfold.
    page = Paginator(candidates, QUEUE_PAGE_SIZE).get_page(_page_number(request.GET.get("page")))
    page.object_list = list(page.object_list)
    if tab == "reponses":
        # After reading the list: the next visit shows what was answered since this one.
        counsellor_mark_referrals_seen(user=request.user, at=now)
    cutoff_date = business_days_ago(WAITING_LIMIT_BUSINESS_DAYS, timezone.localdate(now))
    context = {
        "page": page,
        "filterset": filterset,
        "tab": tab,
        "tabs": QUEUE_TABS,
        "sort": sort,
        "sort_headers": _sort_headers(sort),
        "waiting_cutoff": timezone.make_aware(datetime.datetime.combine(cutoff_date, datetime.time.min)),
        "waiting_limit": WAITING_LIMIT_BUSINESS_DAYS,
        "answers_since": answers_since,
        "counsellors": User.objects.counsellors().order_by("last_name", "first_name") if tab == "a-trier" else (),
    }
    if request.htmx and request.htmx.target == "queue-results":
        response = render(request, "candidates/_queue_results.html", context)
    else:
        template = "_queue_body.html" if request.htmx and request.htmx.target == "queue" else "queue.html"
        response = render(request, f"candidates/{template}", context)
    # The same URL answers a full page or a part of it: caches must tell them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("candidates:queue")
    return redirect(next_url)


@counsellor_required
@require_POST
def queue_take_on(request: HttpRequest) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=_int_or_none(request.POST.get("candidate")))
    try:
        candidate_take_on(candidate=candidate, by=request.user)
    except CandidateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Vous accompagnez maintenant %(name)s.") % {"name": candidate.full_name})
    return _back_to_queue(request)


@counsellor_required
@require_POST
def queue_assign(request: HttpRequest) -> HttpResponse:
    pks = [pk for value in request.POST.getlist("candidates") if (pk := _int_or_none(value)) is not None]
    counsellor = User.objects.filter(pk=_int_or_none(request.POST.get("counsellor"))).first()
    if counsellor is None:
        messages.error(request, _("Choisissez un·e conseiller·ère."))
        return _back_to_queue(request)
    try:
        assigned = candidates_assign(
            candidates=list(Candidate.objects.filter(pk__in=pks)), counsellor=counsellor, by=request.user
        )
    except CandidateError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d dossier assigné à %(name)s.",
                "%(count)d dossiers assignés à %(name)s.",
                len(assigned),
            )
            % {"count": len(assigned), "name": counsellor.get_full_name() or counsellor.email},
        )
    return _back_to_queue(request)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


@counsellor_required
@require_GET
def file(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(
        Candidate.objects.for_list().prefetch_related(
            "consents",
            "events__actor",
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related("territory", "answered_by", "sent_by"),
            ),
        ),
        pk=pk,
    )
    first_target = candidate.first_target
    form = ReferralSendForm(initial={"territory": first_target.pk if first_target else None})
    return render(request, "candidates/file.html", {"candidate": candidate, "form": form})
