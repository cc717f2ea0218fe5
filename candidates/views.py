from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import counsellor_required
from referrals.forms import ReferralSendForm
from referrals.models import Referral

from .forms import RegistrationForm
from .models import Candidate, CandidateStatus
from .services import EmailAlreadyRegistered, candidate_register

QUEUE_PAGE_SIZE = 50


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "candidates/home.html")


@require_http_methods(["GET", "HEAD", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("candidates:my_file")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            candidate = candidate_register(
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                password=data["password"],
                profile_kind=data["profile_kind"],
                target_territory=data["target_territory"],
                language=get_language() or "fr-ca",
                consent=data["consent"],
            )
        except EmailAlreadyRegistered:
            form.add_error(
                "email",
                form.fields["email"].error_messages.get("email_taken") or _("Adresse déjà utilisée."),
            )
        else:
            login(request, candidate.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Votre dossier est créé. Une conseillère ou un conseiller EER le lira bientôt."),
            )
            return redirect("candidates:my_file")
    return render(request, "candidates/register.html", {"form": form})


@login_required
@require_GET
def my_file(request: HttpRequest) -> HttpResponse:
    candidate = (
        Candidate.objects.for_list()
        .prefetch_related(Prefetch("referrals", queryset=Referral.objects.select_related("territory", "answered_by")))
        .filter(user=request.user)
        .first()
    )
    if candidate is None:
        return render(request, "candidates/no_file.html", status=404)
    return render(request, "candidates/my_file.html", {"candidate": candidate})


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
