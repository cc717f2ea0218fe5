from allauth.account.views import SignupView
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.decorators import counsellor_required
from referrals.forms import ReferralSendForm
from referrals.models import Referral

from .models import Candidate, CandidateStatus

QUEUE_PAGE_SIZE = 50


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "candidates/home.html")


# Step 1 of the registration is allauth's sign-up (email, password, and SignupIdentityForm's fields),
# followed by the email code. All or nothing: the account, its address and the draft file.
register = transaction.atomic(SignupView.as_view())


@counsellor_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("statut", CandidateStatus.NEW)
    candidates = Candidate.objects.open_files().for_list()
    if status in CandidateStatus.values:
        candidates = candidates.filter(status=status)
    else:
        status = ""
    page = Paginator(candidates, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "candidates/queue.html",
        {"page": page, "status": status, "statuses": CandidateStatus.choices},
    )


@counsellor_required
@require_GET
def file(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(
        Candidate.objects.for_list().prefetch_related(
            "consents",
            "events__actor",
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related("territory", "answered_by", "sent_by"),
            ),
        ),
        pk=pk,
    )
    first_target = candidate.first_target
    form = ReferralSendForm(initial={"territory": first_target.pk if first_target else None})
    return render(request, "candidates/file.html", {"candidate": candidate, "form": form})
