"""The counsellors' queue: the tabs, filters, sorting and pages, and the actions on its rows."""

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import counsellor_required
from accounts.models import User
from accounts.services import user_mark_referrals_seen
from candidates.models import Candidate
from candidates.services import CandidateError, candidate_take_on, candidates_assign
from common.http import int_or_none, page_number, safe_next

from ..controls import filter_fields_html, sort_header_html, tabs_html
from ..filters import QueueFilter
from ..forms import CloseForm, PutOnHoldForm
from ..rows import queue_rows, rows_html
from ..selectors import (
    QUEUE_PAGE_SIZE,
    SORT_LABELS,
    TAB_COUNT_ORDER,
    WAITING_LIMIT_BUSINESS_DAYS,
    QueuePage,
    QueueTab,
    answers_since,
    business_days_ago,
    queue_sort,
    queue_sort_headers,
    queue_tab,
    tab_candidates,
    target_names,
    with_possible_duplicates,
)
from ..services import file_close, file_put_on_hold


@counsellor_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The counsellors' lists, one per tab, with filters, sorting and pages all in the URL. An htmx
    request gets only the part it targets: the results, or the tabs with the filters and results."""
    tab = queue_tab(request.GET.get("vue"))
    sort, order_by = queue_sort(request.GET.get("tri"))
    now = timezone.now()
    since = answers_since(request.user, now)
    filterset = QueueFilter(request.GET or None, queryset=tab_candidates(tab, request.user, since))
    page = QueuePage.get(
        filterset.qs,
        order_by=order_by,
        number=page_number(request.GET.get("page")),
        size=QUEUE_PAGE_SIZE,
        count=filterset.is_counted(),
        planned=filterset.is_narrowed(),
        count_order_by=TAB_COUNT_ORDER.get(tab, ()),
    )
    if tab == QueueTab.TO_TRIAGE:
        page.object_list = with_possible_duplicates(page.object_list)
    cutoff_date = business_days_ago(WAITING_LIMIT_BUSINESS_DAYS, timezone.localdate(now))
    cutoff = timezone.make_aware(datetime.datetime.combine(cutoff_date, datetime.time.min))
    rows = queue_rows(page.object_list, targets=target_names(page.object_list), now=now, cutoff=cutoff)
    back_query = urlencode({"next": request.get_full_path()})
    # "/conseil/candidats/": each row's links append the pk (a reverse() per link and row costs ~3 ms
    # a page); tests check them against reverse().
    files_url = reverse("counselling:file", args=[0]).removesuffix("0/")
    context = {
        "page": page,
        "rows": rows,
        "rows_html": rows_html(
            rows,
            selectable=tab == QueueTab.TO_TRIAGE,
            files_url=files_url,
            take_on_url=reverse("counselling:queue_take_on"),
            back_query=back_query,
            waiting_limit=WAITING_LIMIT_BUSINESS_DAYS,
        ),
        "filterset": filterset,
        "tab": tab,
        "sort": sort,
        "sort_headers": {
            column: sort_header_html(request.GET, info, SORT_LABELS[column])
            for column, info in queue_sort_headers(sort).items()
        },
        "waiting_limit": WAITING_LIMIT_BUSINESS_DAYS,
        "answers_since": since,
        # The filter's counsellor choices, read once (no COUNT) and reused by the bulk assignment.
        "counsellors": filterset.counsellor_choices() if tab == QueueTab.TO_TRIAGE else (),
    }
    if request.htmx and request.htmx.target == "queue-results":
        response = render(request, "counselling/_queue_results.html", context)
    else:
        filterset.attach_select_options()
        context["tabs_html"] = tabs_html(request.GET, dict(QueueTab.choices), tab)
        context["filter_fields_html"] = filter_fields_html(filterset.form)
        template = "_queue_body.html" if request.htmx and request.htmx.target == "queue" else "queue.html"
        response = render(request, f"counselling/{template}", context)
    # The same URL answers a full page or a part of it: caches must tell them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@counsellor_required
@require_POST
def answers_seen(request: HttpRequest) -> HttpResponse:
    """The "Réponses" tab's "mark as read": from now on it lists only what is answered later."""
    user_mark_referrals_seen(user=request.user, at=timezone.now())
    return redirect(reverse("counselling:queue") + f"?vue={QueueTab.ANSWERS}")


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    return redirect(safe_next(request, request.POST.get("next", ""), default=reverse("counselling:queue")))


@counsellor_required
@require_POST
def queue_take_on(request: HttpRequest) -> HttpResponse:
    candidate = get_object_or_404(Candidate.objects.submitted(), pk=int_or_none(request.POST.get("candidate")))
    try:
        candidate_take_on(candidate=candidate, by=request.user)
    except CandidateError as error:
        messages.error(request, str(error))
        return _back_to_queue(request)
    # The file leaves "À trier": the counsellor goes on with it on its page, not on a list without it.
    messages.success(request, _("Vous accompagnez maintenant %(name)s.") % {"name": candidate.full_name})
    return redirect("counselling:file", pk=candidate.pk)


@counsellor_required
@require_POST
def queue_assign(request: HttpRequest) -> HttpResponse:
    pks = [pk for value in request.POST.getlist("candidates") if (pk := int_or_none(value)) is not None]
    counsellor = User.objects.filter(pk=int_or_none(request.POST.get("counsellor"))).first()
    if counsellor is None:
        messages.error(request, _("Choisissez un·e conseiller·ère."))
        return _back_to_queue(request)
    try:
        assigned = candidates_assign(
            candidates=list(Candidate.objects.submitted().filter(pk__in=pks)), counsellor=counsellor, by=request.user
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


@counsellor_required
@require_GET
def queue_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The forms to put a file on hold or close it; each posts to its own view."""
    candidate = get_object_or_404(Candidate.objects.submitted(), pk=pk)
    return render(
        request,
        "counselling/queue_status.html",
        {
            "candidate": candidate,
            "hold_form": PutOnHoldForm(),
            "close_form": CloseForm(),
            "next": safe_next(request, request.GET.get("next", ""), default=reverse("counselling:queue")),
        },
    )


@counsellor_required
@require_POST
def queue_put_on_hold(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate.objects.submitted(), pk=pk)
    form = PutOnHoldForm(request.POST)
    if form.is_valid():
        try:
            file_put_on_hold(candidate=candidate, by=request.user, reason=form.cleaned_data["reason"])
        except CandidateError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Le dossier de %(name)s est en pause.") % {"name": candidate.full_name})
    else:
        messages.error(request, _("La raison est trop longue."))
    return _back_to_queue(request)


@counsellor_required
@require_POST
def queue_close(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate.objects.submitted(), pk=pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        context = {"candidate": candidate, "hold_form": PutOnHoldForm(), "close_form": form}
        context["next"] = safe_next(request, request.POST.get("next", ""), default=reverse("counselling:queue"))
        return render(request, "counselling/queue_status.html", context, status=400)
    try:
        file_close(
            candidate=candidate,
            by=request.user,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data.get("details", ""),
        )
    except CandidateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Le dossier de %(name)s est fermé.") % {"name": candidate.full_name})
    return _back_to_queue(request)
