"""The candidate's own pages ("Mon dossier"): where the file stands, their details, consents,
the export of their data, the deletion of their account (Québec's Law 25), and the CV download
(for the person, and for the counsellors and agents allowed to see it)."""

import logging

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from candidates.choices import CandidateStatus
from candidates.consents import CONSENT_TEXTS, latest_consents
from candidates.files import cv_response
from candidates.models import AccessKind, Candidate, Consent, TerritoryProposal
from candidates.registration import registration_url
from candidates.services import (
    CandidateError,
    ProposalError,
    candidate_add_target,
    candidate_delete,
    candidate_set_consents,
    candidate_update_identity,
    file_access_record,
    territory_proposal_accept,
    territory_proposal_decline,
)
from candidates.suggestions import Profile, suggest_territories
from common.exports import download
from common.phones import phone_display
from common.statements import compiled_once
from referrals.selectors import cv_reader
from territories.models import Territory

from .exports import candidate_export_zip
from .forms import AccountDeleteForm, ConsentsForm, IdentityForm
from .timeline import (
    candidate_consent_history,
    candidate_contact,
    candidate_pending_referral,
    candidate_timeline,
    file_readings,
)

logger = logging.getLogger(__name__)


def _own_candidate(request: HttpRequest) -> Candidate | None:
    return compiled_once(Candidate.objects.for_list(), "my_file.candidate").filter(user=request.user).first()


def _no_file(request: HttpRequest) -> HttpResponse:
    return render(request, "my_file/no_file.html", status=404)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    candidate = _own_candidate(request)
    if candidate is None:
        return _no_file(request)
    context = {
        "candidate": candidate,
        "timeline": candidate_timeline(candidate),
        "contact": candidate_contact(candidate),
        "pending_referral": candidate_pending_referral(candidate),
        "readings": file_readings(candidate),
        "pending_proposals": TerritoryProposal.objects.pending().filter(candidate=candidate).count(),
        "registration_url": registration_url(candidate) if candidate.status == CandidateStatus.DRAFT else None,
    }
    return render(request, "my_file/home.html", context)


@login_required
@require_GET
def proposals(request: HttpRequest) -> HttpResponse:
    """The territories the person's counsellor proposes (the email's link leads here): those
    waiting for an answer, each with its region and the counsellor's message, then the answered
    ones. Answering is a POST (proposal_answer); this page changes nothing."""
    candidate = _own_candidate(request)
    if candidate is None:
        return _no_file(request)
    rows = list(
        TerritoryProposal.objects.filter(candidate=candidate)
        .exclude(status=TerritoryProposal.Status.WITHDRAWN)
        .select_related("territory__region", "proposed_by")
    )
    pending = [row for row in rows if row.status == TerritoryProposal.Status.PENDING]
    answered = [row for row in rows if row.status != TerritoryProposal.Status.PENDING]
    return render(request, "my_file/proposals.html", {"candidate": candidate, "pending": pending, "answered": answered})


@login_required
@require_GET
def suggestions(request: HttpRequest) -> HttpResponse:
    """ "Suggérez-moi des territoires": off until the person asks (Law 25, s. 8.1), then the five
    territories that best fit their saved answers, with the reasons. Nothing is stored."""
    candidate = _own_candidate(request)
    if candidate is None:
        return _no_file(request)
    context = {"candidate": candidate, "chosen": {target.territory_id for target in candidate.targets.all()}}
    if request.GET.get("voir"):
        profile = Profile.of(candidate)
        context["suggestions"] = {"ranked": suggest_territories(profile), "missing": profile.missing()}
    return render(request, "my_file/suggestions.html", context)


@login_required
@require_POST
def suggestion_add(request: HttpRequest) -> HttpResponse:
    """Keep one suggested territory: it joins the person's list (candidate_add_target)."""
    candidate = _own_candidate(request)
    if candidate is None:
        return _no_file(request)
    value = request.POST.get("territory", "")
    territory = get_object_or_404(Territory, pk=int(value) if value.isdigit() else 0)
    try:
        rank = candidate_add_target(candidate=candidate, territory=territory, by=request.user)
    except CandidateError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(territory)s ajouté à vos territoires visés (choix n° %(rank)s).")
            % {"territory": territory.name, "rank": rank},
        )
    return redirect(reverse("my_file:suggestions") + "?voir=1#suggestions")


@login_required
@require_POST
def proposal_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or decline one proposal: only the person's own (404 otherwise); the service checks
    again that it still waits for an answer."""
    proposal = get_object_or_404(
        TerritoryProposal.objects.select_related("territory"), pk=pk, candidate__user=request.user
    )
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        return redirect("my_file:proposals")
    service = territory_proposal_accept if answer == "accept" else territory_proposal_decline
    try:
        service(proposal=proposal, by=request.user)
    except ProposalError as error:
        messages.error(request, str(error))
    else:
        if answer == "accept":
            message = _(
                "Vous avez accepté le territoire %(territory)s : votre conseiller·ère pourra y orienter votre dossier."
            )
        else:
            message = _("Vous avez refusé le territoire %(territory)s : votre dossier n'y sera pas transmis.")
        messages.success(request, message % {"territory": proposal.territory.name})
    return redirect("my_file:proposals")


@login_required
@require_http_methods(["GET", "POST"])
def identity(request: HttpRequest) -> HttpResponse:
    candidate = _own_candidate(request)
    if candidate is None:
        return _no_file(request)
    initial = {
        "first_name": candidate.first_name,
        "last_name": candidate.last_name,
        "date_of_birth": candidate.date_of_birth,
        "phone": phone_display(candidate.phone),  # as people read it, not E.164
        "language": candidate.language,
    }
    form = IdentityForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        candidate_update_identity(
            candidate=candidate,
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
            phone=data.get("phone") or "",
            language=data["language"],
        )
        messages.success(request, _("Vos coordonnées sont enregistrées."))
        return redirect("my_file:home")
    return render(request, "my_file/identity.html", {"form": form}, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def consents(request: HttpRequest) -> HttpResponse:
    candidate = _own_candidate(request)
    if candidate is None:
        return _no_file(request)
    history = candidate_consent_history(candidate)
    current = latest_consents(candidate)  # from the same, prefetched rows
    initial = {purpose: bool(consent and consent.granted) for purpose, consent in current.items()}
    form = ConsentsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        choices = form.choices()
        changed = candidate_set_consents(candidate=candidate, choices=choices, method=Consent.Method.MY_FILE)
        if not changed:
            messages.info(request, _("Vos choix n'ont pas changé."))
        else:
            messages.success(request, _("Vos choix sont enregistrés."))
        if Consent.Purpose.COACHING in changed and not choices[Consent.Purpose.COACHING]:
            messages.warning(
                request,
                _(
                    "Vous avez retiré votre consentement à l'accompagnement : Emplois en régions ne peut plus "
                    "vous accompagner. Votre dossier reste ouvert ; vous pouvez redonner ce consentement à tout moment."
                ),
            )
        if Consent.Purpose.SHARING in changed and not choices[Consent.Purpose.SHARING]:
            messages.warning(
                request,
                _(
                    "Vous avez retiré votre consentement au partage : votre dossier ne sera plus transmis aux "
                    "agent·e·s Place aux jeunes, et une orientation en attente de réponse est retirée."
                ),
            )
        return redirect("my_file:consents")
    rows = [
        (form[purpose], current[purpose], CONSENT_TEXTS[purpose], label) for purpose, label in Consent.Purpose.choices
    ]
    return render(
        request,
        "my_file/consents.html",
        {"candidate": candidate, "form": form, "rows": rows, "history": history},
        status=400 if form.is_bound else 200,
    )


def _export_filename(extension: str) -> str:
    name = pgettext("nom de fichier", "mon-dossier")
    return f"{name}-{timezone.localdate().isoformat()}.{extension}"


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """Everything the person gave us, as a ZIP: the data as JSON (for another service) and as CSV
    (for a spreadsheet), with their CV (Québec's Law 25: access and portability)."""
    candidate = _own_candidate(request)
    if candidate is None:
        return _no_file(request)
    file_access_record(candidate_id=candidate.pk, user=request.user, kind=AccessKind.EXPORT)
    body = candidate_export_zip(candidate)
    return download(body, filename=_export_filename("zip"), content_type="application/zip")


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    candidate = _own_candidate(request)
    if candidate is None:
        return _no_file(request)
    form = AccountDeleteForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        candidate_delete(candidate=candidate)
        logout(request)
        messages.success(
            request,
            _(
                "Votre compte est supprimé et vos données personnelles sont effacées. "
                "Merci d'avoir utilisé la plateforme."
            ),
        )
        return redirect("candidates:home")
    return render(
        request,
        "my_file/delete.html",
        {"candidate": candidate, "form": form, "pending_referral": candidate_pending_referral(candidate)},
        status=400 if form.is_bound else 200,
    )


@require_safe
@login_required
def cv_download(request: HttpRequest, pk: int) -> FileResponse:
    """The CV, as an attachment. Anyone not allowed gets the same 404 as for a file that does
    not exist."""
    candidate = get_object_or_404(Candidate.objects.exclude(cv=""), pk=pk)
    reader = cv_reader(request.user, candidate)
    if reader is None:
        raise Http404
    response = cv_response(candidate)
    if not reader.owner:
        file_access_record(
            candidate_id=candidate.pk,
            user=None if reader.agent else reader.user,
            agent=reader.agent,
            kind=AccessKind.CV,
        )
    logger.info("cv_download candidate=%s user=%s", candidate.pk, request.user.pk)
    return response
