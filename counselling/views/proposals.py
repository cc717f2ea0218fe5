"""Proposing a territory the person did not choose, and withdrawing the proposal, from the
counsellor's file: the person answers in Mon dossier. The territory suggestions computed from the
person's answers, when the counsellor asks for them, lead to a proposal."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import counsellor_required
from candidates.models import Candidate, TerritoryProposal
from candidates.proposals import chosen_territory_ids_of
from candidates.services import ProposalError, file_access_record, territory_proposal_withdraw, territory_propose
from candidates.suggestions import Profile, suggest_territories
from common.http import form_errors_to_messages
from territories.models import Territory

from ..forms import TerritoryProposeForm
from .file import back_to_file


@counsellor_required
@require_POST
def proposal_send(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate.objects.submitted(), pk=pk)
    form = TerritoryProposeForm(request.POST)
    if form.is_valid():
        territory = form.cleaned_data["territory"]
        try:
            territory_propose(
                candidate=candidate, territory=territory, by=request.user, message=form.cleaned_data["message"]
            )
        except ProposalError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Territoire %(territory)s proposé : la personne reçoit un courriel et répond dans « Mon dossier ».")
                % {"territory": territory.name},
            )
    else:
        form_errors_to_messages(request, form, with_labels=True)
    return back_to_file(candidate.pk, "proposer")


@counsellor_required
@require_POST
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(TerritoryProposal.objects.select_related("territory"), pk=pk)
    try:
        territory_proposal_withdraw(proposal=proposal, by=request.user)
    except ProposalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Proposition retirée."))
    return back_to_file(proposal.candidate_id, "proposer")


@counsellor_required
@require_GET
def suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    """The same territory suggestions as the person's (candidates.suggestions), from their saved
    answers, on the counsellor's demand; each one not yet chosen nor proposed can be proposed.
    Reading the answers is reading the file: logged. Nothing is stored."""
    candidate = get_object_or_404(
        Candidate.objects.submitted().for_list().prefetch_related("territory_proposals"), pk=pk
    )
    file_access_record(candidate_id=candidate.pk, user=request.user)
    profile = Profile.of(candidate)
    ranked = suggest_territories(profile)
    chosen = set(chosen_territory_ids_of(candidate))
    waiting = {
        p.territory_id for p in candidate.territory_proposals.all() if p.status == TerritoryProposal.Status.PENDING
    }
    with_agent = set(
        Territory.objects.filter(pk__in=[s.territory.pk for s in ranked])
        .with_active_agent()
        .values_list("pk", flat=True)
    )
    rows = [
        {
            "suggestion": suggestion,
            "chosen": suggestion.territory.pk in chosen,
            "waiting": suggestion.territory.pk in waiting,
            "no_agent": suggestion.territory.pk not in with_agent,
        }
        for suggestion in ranked
    ]
    return render(
        request,
        "counselling/suggestions.html",
        {
            "candidate": candidate,
            "rows": rows,
            "suggestions": {"ranked": ranked, "missing": profile.missing()},
            "form": TerritoryProposeForm(),
        },
    )
