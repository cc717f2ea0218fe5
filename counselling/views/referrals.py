"""Referring a file to territories, and withdrawing a referral, from the counsellor's file."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import counsellor_required
from candidates.models import Candidate
from common.http import form_errors_to_messages
from referrals.models import Referral
from referrals.services import ReferralError, referral_send, referral_withdraw

from ..forms import ReferralSendForm, ReferralWithdrawForm
from .file import back_to_file


@counsellor_required
@require_POST
def referral_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate.objects.submitted(), pk=pk)
    # Any active territory validates here: referral_send refuses one the person did not choose,
    # with a message that says what to do (propose it), rather than the form's "not a choice".
    form = ReferralSendForm(request.POST)
    if form.is_valid():
        try:
            referral = referral_send(
                candidate=candidate,
                territories=form.territories,
                by=request.user,
                message=form.cleaned_data["message"],
                override_reason=form.cleaned_data.get("override_reason", ""),
            )
        except ReferralError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Orientation envoyée au territoire %(territory)s : ses agent·e·s vont recevoir un lien.")
                % {"territory": referral.territory.name},
            )
    else:
        form_errors_to_messages(request, form, with_labels=True)
    return back_to_file(candidate.pk)


@counsellor_required
@require_POST
def referral_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The counsellor withdraws a referral still waiting for an answer (and the rest of its list)."""
    referral = get_object_or_404(Referral, pk=pk)
    form = ReferralWithdrawForm(request.POST)
    if form.is_valid():
        try:
            referral_withdraw(referral=referral, by_user=request.user, reason=form.cleaned_data["reason"])
        except ReferralError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Orientation retirée : les agent·e·s du territoire sont prévenu·e·s."))
    else:
        form_errors_to_messages(request, form, with_labels=True)
    return back_to_file(referral.candidate_id)
