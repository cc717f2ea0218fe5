"""Merging two files of the same person: a confirmation page, then the merge."""

from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import counsellor_required
from candidates.models import AccessKind, Candidate, CandidateEvent, CoachingNote, Consent
from candidates.services import CandidateError, file_access_record
from common.http import int_or_none
from referrals.models import Referral

from ..selectors import merge_reasons
from ..services import candidates_merge
from .file import back_to_file


def _count_of(model, related: str = "candidate"):
    """The number of `model` rows of each candidate, as a subquery (one query for both files)."""
    rows = model.objects.filter(**{related: OuterRef("pk")}).order_by().values(related)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0)


@counsellor_required
@require_GET
def merge_confirm(request: HttpRequest, pk: int, other_pk: int) -> HttpResponse:
    """Both files side by side and what the merge will do; the button posts to `merge`, which
    merges `other_pk` into `pk`. Nothing changes here."""
    if pk == other_pk:
        raise Http404
    candidates = {
        candidate.pk: candidate
        for candidate in Candidate.objects.submitted()
        .filter(pk__in=(pk, other_pk))
        .select_related("counsellor", "user")
        .annotate(
            events_count=_count_of(CandidateEvent),
            notes_count=_count_of(CoachingNote),
            referrals_count=_count_of(Referral),
            consents_count=_count_of(Consent),
        )
    }
    if len(candidates) != 2:
        raise Http404
    keep, merge = candidates[pk], candidates[other_pk]
    for candidate in (keep, merge):
        file_access_record(candidate_id=candidate.pk, user=request.user, kind=AccessKind.MERGE_PREVIEW)
    account = keep.user or merge.user  # the account that stays (candidates.services.candidate_absorb)
    return render(
        request,
        "counselling/merge_confirm.html",
        {"keep": keep, "merge": merge, "reasons": merge_reasons(keep, merge), "account": account},
    )


@counsellor_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge the file `other` (a POST field) into the file `pk`, then show the kept file."""
    keep = get_object_or_404(Candidate.objects.submitted(), pk=pk)
    other = get_object_or_404(Candidate.objects.submitted(), pk=int_or_none(request.POST.get("other")))
    try:
        candidates_merge(keep=keep, merge=other, by=request.user)
    except CandidateError as error:
        messages.error(request, str(error))
        return redirect("counselling:merge_confirm", pk=keep.pk, other_pk=other.pk)
    messages.success(request, _("Le dossier n° %(merged)s a été fusionné dans celui-ci.") % {"merged": other.pk})
    return back_to_file(keep.pk)
