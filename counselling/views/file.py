"""The counsellor's file page and the actions posted from it."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import counsellor_required
from candidates.consents import granted_consents
from candidates.history import history_lines
from candidates.maturity import maturity_checklist
from candidates.models import (
    Candidate,
    CandidateEvent,
    CandidateStatus,
    CoachingNote,
    Consent,
    MaturityAssessment,
    TerritoryProposal,
)
from candidates.proposals import chosen_territory_ids_of
from candidates.services import (
    CandidateError,
    candidate_can_be_reassigned,
    candidate_declare_mature,
    candidate_reassign,
    candidate_request_sharing_consent,
    candidate_withdraw_maturity,
    coaching_note_add,
    coaching_note_edit,
    file_access_record,
    maturity_update,
)
from common.http import form_errors_to_messages
from common.statements import compiled_once
from referrals.agent_selectors import follow_ups_prefetch
from referrals.models import Referral, ReferralStatus

from ..forms import (
    CoachingNoteForm,
    DeclareMatureForm,
    MaturityTicksForm,
    ReassignForm,
    ReferralSendForm,
    ReferralWithdrawForm,
    TerritoryProposeForm,
    WithdrawMaturityForm,
    reassign_counsellors,
)
from ..selectors import file_access_groups, target_agents

SETTLING_STATUSES = (CandidateStatus.TAKEN_ON, CandidateStatus.MOVED, CandidateStatus.SETTLED)


@counsellor_required
@require_GET
def file(request: HttpRequest, pk: int) -> HttpResponse:
    """The counsellor's view of a file. Each opening is logged (Law 25); the number of queries
    does not depend on how many notes, events, referrals or accesses the file has."""
    # Each read's SQL is compiled once per process (common.statements): compiling it on every
    # opening was a fifth of the page's CPU. The prefetches are read for the one file
    # (common.prefetch.ReadsOneStraight).
    candidate = get_object_or_404(
        compiled_once(
            Candidate.objects.submitted()
            .for_list()
            .select_related("maturity__mature_by", "maturity__updated_by")
            .prefetch_related(
                Prefetch("consents", queryset=compiled_once(Consent.objects.all(), "file.consents")),
                Prefetch(
                    "events", queryset=compiled_once(CandidateEvent.objects.select_related("actor"), "file.events")
                ),
                Prefetch(
                    "coaching_notes",
                    queryset=compiled_once(CoachingNote.objects.select_related("author"), "file.notes"),
                ),
                Prefetch(
                    "territory_proposals",
                    queryset=compiled_once(
                        TerritoryProposal.objects.select_related("territory__region", "proposed_by"), "file.proposals"
                    ),
                ),
                Prefetch(
                    "referrals",
                    queryset=compiled_once(
                        Referral.objects.select_related("territory", "answered_by", "sent_by"), "file.referrals"
                    ).prefetch_related(follow_ups_prefetch()),
                ),
            ),
            "file.candidate",
        ),
        pk=pk,
    )
    file_access_record(candidate_id=candidate.pk, user=request.user)
    accesses = file_access_groups(candidate)
    assessment = getattr(candidate, "maturity", None)
    now = timezone.now()
    notes = list(candidate.coaching_notes.all())
    for note in notes:
        note.editable = note.is_editable_by(request.user, now=now)
    is_mature = bool(assessment and assessment.is_mature)
    checklist = maturity_checklist(candidate, assessment)
    reassign_form = None
    if candidate_can_be_reassigned(candidate):
        counsellors = compiled_once(reassign_counsellors(), "file.colleagues")
        colleagues = [user for user in counsellors if user.pk != candidate.counsellor_id]
        reassign_form = ReassignForm(counsellors=colleagues)
    proposals = list(candidate.territory_proposals.all())
    chosen = chosen_territory_ids_of(candidate)
    waiting = [p.territory_id for p in proposals if p.status == TerritoryProposal.Status.PENDING]
    referrals = candidate.referrals.all()
    context = {
        "candidate": candidate,
        # Once a territory took the person on, a new referral is the exception: its form is folded.
        "referral_folded": candidate.status in SETTLING_STATUSES
        or any(referral.status == ReferralStatus.ACCEPTED for referral in referrals),
        "events": history_lines(candidate.events.all()),
        "form": ReferralSendForm.for_candidate(candidate, mature=is_mature),
        "chosen": chosen,
        "proposals": proposals,
        "propose_form": TerritoryProposeForm(excluded_ids={*chosen, *waiting}),
        "withdraw_form": ReferralWithdrawForm(),
        "notes": notes,
        "note_form": CoachingNoteForm(),
        "assessment": assessment,
        "is_mature": is_mature,
        "checklist": checklist,
        "missing": [item for item in checklist if item.done is False],
        "ticks_form": MaturityTicksForm(
            initial={name: getattr(assessment, name) for name in MaturityAssessment.TICKED_FIELDS}
            if assessment
            else None
        ),
        "mature_form": DeclareMatureForm(),
        "withdraw_maturity_form": WithdrawMaturityForm(),
        "reassign_form": reassign_form,
        "accesses": accesses,
        "sharing_consent": granted_consents(candidate)[Consent.Purpose.SHARING],
        "target_agents": target_agents(candidate),
    }
    return render(request, "counselling/file.html", context)


def back_to_file(candidate_pk: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("counselling:file", args=[candidate_pk]) + (f"#{anchor}" if anchor else ""))


@counsellor_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate.objects.submitted(), pk=pk)
    form = CoachingNoteForm(request.POST)
    if form.is_valid():
        try:
            coaching_note_add(candidate=candidate, by=request.user, text=form.cleaned_data["text"])
        except CandidateError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Note ajoutée."))
    else:
        form_errors_to_messages(request, form)
    return back_to_file(candidate.pk, "notes")


@counsellor_required
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, pk: int, note_pk: int) -> HttpResponse:
    """GET shows the note's form, prefilled; POST saves it. The service re-checks the author and
    the 24 hours, whatever the page showed."""
    note = get_object_or_404(CoachingNote.objects.select_related("candidate", "author"), pk=note_pk, candidate_id=pk)
    if request.method == "POST":
        form = CoachingNoteForm(request.POST)
        if form.is_valid():
            try:
                coaching_note_edit(note=note, by=request.user, text=form.cleaned_data["text"])
            except CandidateError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Note modifiée."))
            return back_to_file(pk, "notes")
    else:
        form = CoachingNoteForm(initial={"text": note.text})
    editable = note.is_editable_by(request.user)
    return render(
        request,
        "counselling/file_note_edit.html",
        {"note": note, "candidate": note.candidate, "form": form, "editable": editable},
        status=200 if request.method == "GET" else 400,
    )


@counsellor_required
@require_POST
def maturity_ticks(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate.objects.submitted(), pk=pk)
    form = MaturityTicksForm(request.POST)
    if form.is_valid():
        try:
            maturity_update(candidate=candidate, by=request.user, ticks=form.cleaned_data)
        except CandidateError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Liste de vérification enregistrée."))
    return back_to_file(candidate.pk, "maturite")


@counsellor_required
@require_POST
def request_sharing_consent(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate.objects.submitted(), pk=pk)
    try:
        candidate_request_sharing_consent(candidate=candidate, by=request.user)
    except CandidateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Demande envoyée : la personne reçoit un courriel pour donner son accord."))
    return back_to_file(candidate.pk, "orienter")


@counsellor_required
@require_POST
def declare_mature(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate.objects.submitted(), pk=pk)
    form = DeclareMatureForm(request.POST)
    if form.is_valid():
        try:
            candidate_declare_mature(candidate=candidate, by=request.user, note=form.cleaned_data["note"])
        except CandidateError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Projet déclaré mûr : vous pouvez orienter la personne."))
    else:
        form_errors_to_messages(request, form)
    return back_to_file(candidate.pk, "maturite")


@counsellor_required
@require_POST
def withdraw_maturity(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate.objects.submitted(), pk=pk)
    form = WithdrawMaturityForm(request.POST)
    if form.is_valid():
        try:
            candidate_withdraw_maturity(candidate=candidate, by=request.user, reason=form.cleaned_data["reason"])
        except CandidateError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Décision « projet mûr » retirée."))
    else:
        form_errors_to_messages(request, form)
    return back_to_file(candidate.pk, "maturite")


@counsellor_required
@require_POST
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate.objects.submitted(), pk=pk)
    form = ReassignForm(request.POST)
    if form.is_valid():
        colleague = form.cleaned_data["counsellor"]
        try:
            candidate_reassign(candidate=candidate, to=colleague, by=request.user)
        except CandidateError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Le dossier de %(name)s est confié à %(counsellor)s.")
                % {"name": candidate.full_name, "counsellor": colleague},
            )
    else:
        form_errors_to_messages(request, form)
    return back_to_file(candidate.pk)
