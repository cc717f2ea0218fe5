"""Proposing a territory the person did not choose, and withdrawing the proposal, from the
counsellor's file: the person answers in Mon dossier."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import counsellor_required
from candidates.models import Candidate, TerritoryProposal
from candidates.services import ProposalError, territory_proposal_withdraw, territory_propose
from common.http import form_errors_to_messages

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
