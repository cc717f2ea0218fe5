"""The PAJ agent's activities, in their space: publish for their territories, see the
registrants (only what each person's sharing consent covers), record attendance, cancel. An
agent reaches only the activities of their territories; any other one is a 404."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from candidates.models import AccessKind
from candidates.services import file_accesses_record
from territories.decorators import agent_required

from .errors import ActivityError
from .forms import ActivityForm, AttendanceForm, agent_territories
from .models import Activity, ActivityStatus, Registration, RegistrationStatus
from .selectors import agent_activities, agent_activity, registrants
from .services import activity_cancel, activity_publish, activity_update, attendance_record


@never_cache
@agent_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The agent's activities (two queries, whatever their number)."""
    activities = list(agent_activities(request.agent)[:200])
    now = timezone.now()
    return render(
        request,
        "activities/agent/home.html",
        {
            "agent": request.agent,
            "upcoming": [a for a in activities if a.ends_at >= now][::-1],
            "past": [a for a in activities if a.ends_at < now],
        },
    )


@never_cache
@agent_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    territories = agent_territories(request.agent)
    form = ActivityForm(request.POST or None, territories=territories)
    if request.method == "POST" and form.is_valid():
        try:
            activity = activity_publish(
                territory=form.cleaned_data["territory"], fields=form.activity_fields(), agent=request.agent
            )
        except ActivityError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("L'activité est publiée dans le calendrier."))
            return redirect("activities:agent_activity", pk=activity.pk)
    return render(
        request,
        "activities/agent/new.html",
        {"agent": request.agent, "form": form},
        status=400 if form.errors else 200,
    )


@never_cache
@agent_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an upcoming activity (its territory stays): the same rules, never fewer seats than
    registrants; more seats let the waiting list in."""
    found = _activity_or_404(request, pk)
    if found.status != ActivityStatus.PUBLISHED or found.starts_at <= timezone.now():
        messages.error(request, _("Seule une activité publiée qui n'a pas commencé se modifie."))
        return redirect("activities:agent_activity", pk=found.pk)
    registered = found.registrations.filter(status=RegistrationStatus.REGISTERED).count()
    form = ActivityForm(
        request.POST or None, instance=found, territories=agent_territories(request.agent), registered=registered
    )
    if request.method == "POST" and form.is_valid():
        try:
            activity_update(activity=found, fields=form.activity_fields())
        except ActivityError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("L'activité est modifiée."))
            return redirect("activities:agent_activity", pk=found.pk)
    return render(
        request,
        "activities/agent/new.html",
        {"agent": request.agent, "form": form, "activity": found},
        status=400 if form.errors else 200,
    )


def _activity_or_404(request: HttpRequest, pk: int) -> Activity:
    activity = agent_activity(request.agent, pk)
    if activity is None:
        raise Http404
    return activity


@never_cache
@agent_required
@require_GET
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    """An activity with its registrants; each file whose summary shows is logged as read."""
    found = _activity_or_404(request, pk)
    people = registrants(found)
    if shown := [r.registration.candidate_id for r in people if r.summary]:
        file_accesses_record(candidate_ids=shown, agent=request.agent, kind=AccessKind.AGENT_ACTIVITY)
    return render(
        request,
        "activities/agent/activity.html",
        {
            "agent": request.agent,
            "activity": found,
            "registrants": people,
            "started": found.starts_at <= timezone.now(),
            "cancellable": found.status == ActivityStatus.PUBLISHED and found.starts_at > timezone.now(),
        },
    )


@agent_required
@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    found = _activity_or_404(request, pk)
    form = AttendanceForm(request.POST)
    registration = None
    if form.is_valid():
        registration = Registration.objects.filter(activity=found, pk=form.cleaned_data["registration"]).first()
    if registration is None:
        messages.error(request, _("Choisissez une personne inscrite et sa présence."))
        return redirect("activities:agent_activity", pk=found.pk)
    try:
        attendance_record(registration=registration, agent=request.agent, attended=form.cleaned_data["attended"])
    except ActivityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Présence enregistrée."))
    return redirect("activities:agent_activity", pk=found.pk)


@agent_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    found = _activity_or_404(request, pk)
    try:
        told = activity_cancel(activity=found, by=request.user, agent=request.agent)
    except ActivityError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("L'activité est annulée ; %(count)s personne(s) prévenue(s) par courriel.") % {"count": told}
        )
    return redirect("activities:agent_activity", pk=found.pk)
