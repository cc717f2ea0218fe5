"""The public calendar, an activity's page, the iCalendar feeds, and registering or cancelling
from it (for a signed-in candidate whose file is submitted)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from candidates.choices import CandidateStatus
from candidates.models import Candidate
from common.http import page_number
from territories.models import Region, Territory

from .errors import ActivityError
from .forms import CalendarFilterForm
from .ics import calendar
from .models import Activity, Registration, RegistrationStatus
from .selectors import calendar_activities
from .services import registration_cancel, registration_create

PAGE_SIZE = 30


@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    """/activites/: the upcoming activities, filtered by region, type, date and language (three
    queries, whatever the number of activities: regions, the count, the page)."""
    regions = list(Region.objects.order_by("code"))
    form = CalendarFilterForm(request.GET or None, regions=regions)
    filters = form.cleaned_data if form.is_valid() else {}
    activities = calendar_activities(
        region_code=filters.get("region", ""),
        kind=filters.get("kind", ""),
        start=filters.get("start"),
        language=filters.get("language", ""),
    )
    page = Paginator(activities, PAGE_SIZE).get_page(page_number(request.GET.get("page")))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/calendar.html",
        {"form": form, "page": page, "query": query.urlencode(), "regions": regions},
        status=400 if form.errors else 200,
    )


def _own_candidate(request: HttpRequest) -> Candidate | None:
    if not request.user.is_authenticated:
        return None
    return Candidate.objects.filter(user=request.user, anonymized_at__isnull=True).first()


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.for_calendar().with_seats_taken(), pk=pk)
    candidate = _own_candidate(request)
    registration = None
    if candidate is not None:
        registration = Registration.objects.filter(activity=activity, candidate=candidate).first()
    position = None
    if registration is not None and registration.status == RegistrationStatus.WAITING:
        position = (
            activity.registrations.waiting_in_order()
            .filter(
                Q(waiting_since__lt=registration.waiting_since)
                | Q(waiting_since=registration.waiting_since, pk__lt=registration.pk)
            )
            .count()
            + 1
        )
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "candidate": candidate,
            "registration": registration,
            "submitted": candidate is not None
            and candidate.status not in (CandidateStatus.DRAFT, CandidateStatus.CLOSED),
            "registration_open": activity.registration_open(),
            "seats_left": max(activity.capacity - activity.seats_taken, 0),
            "position": position,
            "active": registration is not None and registration.status != RegistrationStatus.CANCELLED,
        },
    )


@login_required
@require_POST
def register(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity, pk=pk)
    candidate = _own_candidate(request)
    if candidate is None:
        raise Http404
    try:
        registration = registration_create(activity=activity, candidate=candidate, by=request.user)
    except ActivityError as error:
        messages.error(request, str(error))
    else:
        if registration.status == RegistrationStatus.REGISTERED:
            messages.success(
                request,
                _("Vous êtes inscrit·e. Un courriel de confirmation vous arrive avec l'événement pour votre agenda."),
            )
        else:
            messages.info(
                request,
                _(
                    "L'activité est complète : vous êtes sur la liste d'attente. "
                    "Nous vous écrirons si une place se libère."
                ),
            )
    return redirect("activities:detail", pk=activity.pk)


@login_required
@require_POST
def cancel_registration(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _own_candidate(request)
    registration = Registration.objects.filter(activity_id=pk, candidate=candidate).first() if candidate else None
    if registration is None:
        raise Http404
    try:
        registration_cancel(registration=registration, by=request.user)
    except ActivityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Votre inscription est annulée."))
    return redirect("activities:detail", pk=pk)


def _ics_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def activity_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One published activity as an iCalendar file, for a calendar (the online link stays in the
    registrants' emails)."""
    activity = get_object_or_404(Activity.objects.published().for_calendar(), pk=pk)
    return _ics_response(
        calendar([activity], name=activity.title_fr, language=request.LANGUAGE_CODE[:2]), f"activite-{pk}.ics"
    )


@require_GET
def territory_feed(request: HttpRequest, code: str) -> HttpResponse:
    """The territory's upcoming activities as an iCalendar feed (two queries)."""
    territory = get_object_or_404(Territory.objects.active().select_related("region"), code=code)
    activities = Activity.objects.upcoming().for_calendar().filter(territory=territory)
    language = request.LANGUAGE_CODE[:2]
    return _ics_response(
        calendar(activities, name=f"{territory.name} – Place aux jeunes", language=language), f"{code}.ics"
    )


@require_GET
def region_feed(request: HttpRequest, code: str) -> HttpResponse:
    """The region's upcoming activities as an iCalendar feed (two queries)."""
    region = get_object_or_404(Region, code=code)
    activities = Activity.objects.upcoming().for_calendar().filter(territory__region=region, territory__is_active=True)
    language = request.LANGUAGE_CODE[:2]
    return _ics_response(
        calendar(activities, name=f"{region.name_fr} – Place aux jeunes", language=language), f"region-{code}.ics"
    )
