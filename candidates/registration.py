"""Steps 2 to 5 of the registration and the review page. Step 1 is allauth's sign-up
(views.register); its adapter sends the person on to step 2.

Each step shows the saved draft and saves through services.candidate_save_step. A step opens once
the previous one is saved (`Candidate.registration_step`), so a person who leaves and signs in
again goes on where they stopped. Once the file is sent, every step stays open to update it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .consents import CONSENT_TEXTS, latest_consents
from .cv import MESSAGES as CV_MESSAGES
from .forms import BackgroundForm, ConsentsForm, ProjectForm, WorkForm
from .models import Candidate, CandidateStatus
from .services import (
    REGISTRATION_STEPS,
    REVIEW_STEP,
    STEP_TITLES,
    CandidateError,
    IncompleteRegistration,
    candidate_save_step,
    candidate_submit,
    registration_problems,
)
from .step_suggestions import asks_for_suggestions, project_form_with_suggestions
from .suggestions import suggest_territories

STEP_FORMS = {2: BackgroundForm, 3: WorkForm, 4: ProjectForm, 5: ConsentsForm}
TOTAL_STEPS = 5
FROM_REVIEW = "verification"  # ?retour=verification: the step was opened from the review page


def furthest_step(candidate: Candidate) -> int:
    """The furthest page the person may open: a step, or REVIEW_STEP (every step open)."""
    if candidate.status != CandidateStatus.DRAFT:
        return REVIEW_STEP
    return min(max(candidate.registration_step, REGISTRATION_STEPS[0]), REVIEW_STEP)


def registration_url(candidate: Candidate) -> str:
    """Where a person with a draft goes on with their registration."""
    step = furthest_step(candidate)
    if step == REVIEW_STEP:
        return reverse("candidates:registration_review")
    return reverse("candidates:registration_step", args=[step])


def _own_candidate(request: HttpRequest, queryset=None) -> Candidate:
    """The signed-in person's own file. Staff have none to fill in (403); an account without a
    file, none to find (404)."""
    if request.user.is_counsellor:
        raise PermissionDenied
    queryset = Candidate.objects.all() if queryset is None else queryset
    candidate = queryset.filter(user=request.user).first()
    if candidate is None or candidate.anonymized_at is not None:
        raise Http404("No candidate file for this account")
    return candidate


@login_required
@require_http_methods(["GET", "POST"])
def registration_step(request: HttpRequest, step: int) -> HttpResponse:
    if step < REGISTRATION_STEPS[0]:
        raise Http404("No such registration step")
    candidate = _own_candidate(request)
    if step > furthest_step(candidate) or step not in STEP_FORMS:
        # Not open yet (or past the last step, e.g. /etape-6/ once every step is saved).
        return redirect(registration_url(candidate))
    form_class = STEP_FORMS[step]
    from_review = request.POST.get("retour", request.GET.get("retour")) == FROM_REVIEW
    answers_kept = False
    suggestions = None
    if step == 4 and asks_for_suggestions(request):
        form, profile = project_form_with_suggestions(request, candidate)
        suggestions = {"ranked": suggest_territories(profile), "missing": profile.missing()}
    elif request.method == "POST":
        form = form_class(request.POST, request.FILES, candidate=candidate)
        if "cv" in getattr(request, "oversized_uploads", ()):  # dropped as it streamed in (common.uploads)
            form.full_clean()
            form.add_error("cv", ValidationError(CV_MESSAGES["too_big"], code="too_big"))
        if form.is_valid():
            candidate_save_step(candidate=candidate, step=step, data=form.cleaned_data)
            return redirect(_after_step(request, candidate, step, from_review=from_review))
        if step == 3 and form.errors.keys() == {"cv"}:
            # Only the file was refused: keep the other answers, and ask for another file.
            candidate_save_step(candidate=candidate, step=step, data=form.cleaned_data, advance=False)
            answers_kept = True
    else:
        form = form_class(candidate=candidate)
    return render(
        request,
        f"candidates/registration/step_{step}.html",
        {
            "candidate": candidate,
            "form": form,
            "step": step,
            "total": TOTAL_STEPS,
            "step_title": STEP_TITLES[step],
            "previous_url": reverse("candidates:registration_step", args=[step - 1]) if step > 2 else "",
            "from_review": from_review,
            "answers_kept": answers_kept,
            "submitted": candidate.status != CandidateStatus.DRAFT,
            "suggestions": suggestions,
        },
    )


def _after_step(request: HttpRequest, candidate: Candidate, step: int, *, from_review: bool) -> str:
    if candidate.status != CandidateStatus.DRAFT:
        messages.success(request, _("Vos modifications sont enregistrées."))
        return reverse("my_file:home")
    if from_review and furthest_step(candidate) == REVIEW_STEP:
        return reverse("candidates:registration_review")
    if step == REGISTRATION_STEPS[-1]:
        return reverse("candidates:registration_review")
    return reverse("candidates:registration_step", args=[step + 1])


@login_required
@require_http_methods(["GET", "POST"])
def registration_review(request: HttpRequest) -> HttpResponse:
    candidate = _own_candidate(request, Candidate.objects.for_list().prefetch_related("consents"))
    if furthest_step(candidate) < REVIEW_STEP:
        return redirect(registration_url(candidate))
    submitted = candidate.status != CandidateStatus.DRAFT
    if request.method == "POST":
        if submitted:
            messages.info(request, _("Votre inscription a déjà été envoyée."))
            return redirect("my_file:home")
        try:
            candidate_submit(candidate=candidate)
        except IncompleteRegistration as error:
            messages.error(request, str(error))
            return redirect("candidates:registration_review")
        except CandidateError as error:
            messages.info(request, str(error))
            return redirect("my_file:home")
        messages.success(
            request,
            _(
                "Votre inscription est envoyée. Un·e conseiller·ère d'Emplois en régions va étudier votre dossier "
                "et vous contactera."
            ),
        )
        return redirect("my_file:home")
    consents = latest_consents(candidate)
    return render(
        request,
        "candidates/registration/review.html",
        {
            "candidate": candidate,
            "submitted": submitted,
            "problems": [
                {"step": step, "title": STEP_TITLES[step], "text": text}
                for step, text in registration_problems(candidate)
            ],
            "consents": [
                {"text": CONSENT_TEXTS[purpose].text, "granted": bool(row and row.granted)}
                for purpose, row in consents.items()
            ],
            "step_titles": STEP_TITLES,
        },
    )
