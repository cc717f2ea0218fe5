"""The PAJ agent's space, for agents signed in with a code sent by email: their territories'
referrals, the answer, the follow-up of the candidates they took on, and the reverse referral to
EER. An agent reaches only the referrals of their territories; any other one is a 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from candidates.models import AccessKind
from candidates.services import file_access_record
from common.http import page_number
from territories.decorators import agent_required

from .agent_cards import cards_html
from .agent_forms import FollowUpForm, ReferToEerForm
from .agent_selectors import AgentTab, agent_default_tab, agent_referral, agent_referrals, agent_tab_counts
from .forms import ReferralAnswerForm
from .models import Referral, ReferralStatus
from .selectors import agent_view, referral_page_context
from .services import ReferralError, candidate_refer_to_eer, follow_up_open_steps, follow_up_record

PAGE_SIZE = 25


@never_cache
@agent_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    counts = agent_tab_counts(request.agent)
    tab = request.GET.get("onglet")
    tab = AgentTab(tab) if tab in AgentTab.values else agent_default_tab(counts)
    paginator = Paginator(agent_referrals(request.agent, tab=tab), PAGE_SIZE)
    paginator.count = counts[tab]  # the tab's count, read with the others: not counted again
    page = paginator.get_page(page_number(request.GET.get("page")))
    page.object_list = list(page.object_list)
    territory_ids = set(request.agent.territory_ids)
    for row in page.object_list:
        follow_ups = list(row.follow_ups.all())  # prefetched, in date order
        row.last_follow_up = follow_ups[-1] if follow_ups else None
        row.sees = agent_view(row, request.agent, territory_ids=territory_ids)
    return render(
        request,
        "referrals/agent/home.html",
        {
            "agent": request.agent,
            "tab": tab,
            "tabs": [(key, label, counts[key]) for key, label in AgentTab.choices],
            "page": page,
            "cards": cards_html(page.object_list),
        },
    )


def _referral_or_404(request: HttpRequest, pk: int) -> Referral:
    referral = agent_referral(request.agent, pk).first()
    if referral is None:
        raise Http404
    return referral


def _detail(
    request: HttpRequest,
    referral: Referral,
    *,
    answer_form: ReferralAnswerForm | None = None,
    follow_up_form: FollowUpForm | None = None,
    status: int = 200,
) -> HttpResponse:
    follow_ups = list(referral.follow_ups.all())
    sees = agent_view(referral, request.agent)
    if sees.person and request.method == "GET":
        file_access_record(candidate_id=referral.candidate_id, agent=request.agent, kind=AccessKind.AGENT_PAGE)
    steps = follow_up_open_steps(referral=referral, recorded=follow_ups) if not sees.ended else []
    if follow_up_form is None and steps:
        follow_up_form = FollowUpForm(steps=steps)
    return render(
        request,
        "referrals/agent/referral.html",
        {
            "agent": request.agent,
            "referral": referral,
            # Only what the person agreed to share, while the referral's purpose lasts.
            "sees": sees,
            "cv_url": reverse("my_file:cv_download", args=[referral.candidate_id]),
            "answer_form": answer_form or ReferralAnswerForm(),
            "follow_up_form": follow_up_form if steps else None,
            **referral_page_context(referral),
        },
        status=status,
    )


@never_cache
@agent_required
@require_GET
def referral(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _referral_or_404(request, pk))


@never_cache
@agent_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    form = ReferralAnswerForm(request.POST)
    if not form.is_valid():
        return _detail(request, referral, answer_form=form, status=400)
    if form.needs_confirmation:
        return render(
            request,
            "referrals/agent/confirm_accept.html",
            {
                "referral": referral,
                "sees": agent_view(referral, request.agent),
                "action": reverse("referrals:agent_answer", args=[referral.pk]),
                "back": reverse("referrals:agent_referral", args=[referral.pk]),
            },
        )
    try:
        messages.success(request, form.save(referral=referral, agent=request.agent))
    except ReferralError as error:
        messages.error(request, str(error))
    return redirect("referrals:agent_referral", pk=referral.pk)


@agent_required
@require_POST
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_or_404(request, pk)
    steps = follow_up_open_steps(referral=referral, recorded=referral.follow_ups.all())
    if referral.status != ReferralStatus.ACCEPTED or not steps:
        messages.error(request, _("Aucune étape de suivi ne peut être ajoutée à cette orientation."))
        return redirect("referrals:agent_referral", pk=referral.pk)
    form = FollowUpForm(request.POST, steps=steps)
    if not form.is_valid():
        return _detail(request, referral, follow_up_form=form, status=400)
    try:
        follow_up_record(
            referral=referral,
            step=form.cleaned_data["step"],
            occurred_on=form.cleaned_data["occurred_on"],
            note=form.cleaned_data["note"],
            by_agent=request.agent,
        )
    except ReferralError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Étape du suivi enregistrée."))
    return redirect("referrals:agent_referral", pk=referral.pk)


@agent_required
@require_http_methods(["GET", "POST"])
def refer_to_eer(request: HttpRequest) -> HttpResponse:
    form = ReferToEerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            candidate_refer_to_eer(
                agent=request.agent,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                phone=str(data["phone"] or ""),
                language=data["language"],
                note=data["note"],
                consent=data["consent"],
            )
        except ReferralError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Merci : la personne est envoyée à EER, un·e conseiller·ère va la contacter."),
            )
            return redirect("referrals:agent_home")
    return render(
        request,
        "referrals/agent/refer_to_eer.html",
        {"agent": request.agent, "form": form},
        status=400 if form.errors else 200,
    )
