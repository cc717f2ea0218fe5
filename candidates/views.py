import datetime
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from allauth.account.views import SignupView
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import counsellor_required
from accounts.models import User
from referrals.agent_selectors import follow_ups_prefetch
from referrals.models import Referral
from referrals.selectors import referral_file_context
from territories.models import Agent

from .consents import granted_consents
from .filters import QueueFilter
from .forms import (
    CoachingNoteForm,
    DeclareMatureForm,
    MaturityTicksForm,
    ReassignForm,
    WithdrawMaturityForm,
    reassign_counsellors,
)
from .models import (
    Candidate,
    CandidateEvent,
    CoachingNote,
    Consent,
    FileAccess,
    MaturityAssessment,
    maturity_checklist,
    stored_phone,
)
from .queue_forms import CloseForm, PutOnHoldForm
from .services import (
    CandidateError,
    candidate_can_be_reassigned,
    candidate_close,
    candidate_declare_mature,
    candidate_put_on_hold,
    candidate_reassign,
    candidate_request_sharing_consent,
    candidate_take_on,
    candidate_withdraw_maturity,
    candidates_assign,
    candidates_merge,
    coaching_note_add,
    coaching_note_edit,
    counsellor_mark_referrals_seen,
    file_access_record,
    maturity_update,
)

QUEUE_PAGE_SIZE = 50
QUEUE_COUNT_CAP = 1000  # the lists count up to this, then say "more than 1,000"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "candidates/home.html")


# Step 1 of the registration is allauth's sign-up (email, password, and SignupIdentityForm's fields),
# followed by the email code. All or nothing: the account, its address and the draft file.
register = transaction.atomic(SignupView.as_view())


QUEUE_TABS = {
    "a-trier": gettext_lazy("À trier"),
    "mes-candidats": gettext_lazy("Mes candidat·e·s"),
    "tous": gettext_lazy("Tous les dossiers"),
    "orientations": gettext_lazy("Orientations en attente"),
    "reponses": gettext_lazy("Réponses depuis ma dernière visite"),
}
DEFAULT_TAB = "a-trier"
# The sortable columns (?tri=name, or ?tri=-name for descending): anything else is ignored.
# Each ends with a unique key so that pages never overlap.
QUEUE_SORTS = {
    "nom": ("last_name", "first_name", "id"),
    "attente": ("submitted_at", "id"),
    "statut": ("status", "submitted_at", "id"),
    "profil": ("profile_kind", "submitted_at", "id"),
    # Groups the files by counsellor, in the order the accounts were created: sorting on their
    # names joins and sorts every row (140 ms at 100,000 files on PostgreSQL, against 10 ms).
    "conseiller": ("counsellor_id", "submitted_at", "id"),
}
DEFAULT_SORT = "attente"  # the longest wait first
WAITING_LIMIT_BUSINESS_DAYS = 5  # Québec's immigrant-support service: a first meeting within 5 business days
ANSWERS_FIRST_VISIT_DAYS = 30  # a first visit of the "Réponses" tab shows the last 30 days


def business_days_ago(days: int, today: datetime.date | None = None) -> datetime.date:
    """The date `days` business days (Monday to Friday) before `today`. Québec's statutory holidays
    are not counted out: a file waiting over one is flagged a day early, which errs on the safe side."""
    day = today or timezone.localdate()
    while days > 0:
        day -= datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _page_number(value: str | None) -> int:
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1


def _sort(value: str | None) -> tuple[str, tuple[str, ...]]:
    """The sort asked for when it is a known column, else the default one."""
    value = value or ""
    column = value.removeprefix("-")
    if column not in QUEUE_SORTS:
        value, column = DEFAULT_SORT, DEFAULT_SORT
    fields = QUEUE_SORTS[column]
    if value.startswith("-"):
        fields = tuple(f"-{field}" for field in fields)
    return value, fields


def _sort_headers(sort: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the ?tri= value of its link (a second click reverses) and its
    aria-sort when the list is sorted by it."""
    headers = {}
    for column in QUEUE_SORTS:
        aria_sort = {column: "ascending", f"-{column}": "descending"}.get(sort, "")
        headers[column] = {"next": column if sort != column else f"-{column}", "aria_sort": aria_sort}
    return headers


@dataclass
class QueuePage:
    """One page of the queue, counted up to QUEUE_COUNT_CAP only: an exact COUNT(*) of 100,000 open
    files costs more than the rest of the page (36 ms on PostgreSQL 15), and nobody reads "54 321"
    differently from "more than 1,000". Beyond the cap, the next page is known from one extra row."""

    object_list: list
    number: int
    count: int | None  # QUEUE_COUNT_CAP + 1 stands for "more than QUEUE_COUNT_CAP"; None: not counted
    size: int
    has_next: bool

    @classmethod
    def get(cls, queryset, *, order_by: Sequence[str], number: int, size: int, count: bool = True) -> "QueuePage":
        """Without `count` (a search, a target region or territory: QueueFilter.is_counted), no
        COUNT at all: the trigram indexes find the first page of a search fast in submission
        order, but counting every "Tremblay" costs 10 to 60 ms (a sequential scan when PostgreSQL
        plans for a LIMIT). The total is then known only on the last page."""
        total = None
        if count:
            total = queryset.order_by().values("pk")[: QUEUE_COUNT_CAP + 1].count()
            if total <= QUEUE_COUNT_CAP:
                number = min(number, max(math.ceil(total / size), 1))  # past the end: the last page
        offset = (number - 1) * size
        rows = list(queryset.for_list().with_waiting_since().order_by(*order_by)[offset : offset + size + 1])
        has_next = len(rows) > size
        if total is None and not has_next and (rows or number == 1):
            total = offset + len(rows)
        return cls(object_list=rows[:size], number=number, count=total, size=size, has_next=has_next)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    @property
    def count_is_capped(self) -> bool:
        return self.count is not None and self.count > QUEUE_COUNT_CAP

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.object_list)

    @property
    def count_cap(self) -> int:
        return QUEUE_COUNT_CAP

    @property
    def num_pages(self) -> int | None:
        if self.count is None or self.count_is_capped:
            return None
        return max(math.ceil(self.count / self.size), 1)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def _fold(text: str) -> str:
    """Case- and accent-insensitive form of a name: "Émile Côté" and "emile cote" fold alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().strip())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def duplicate_keys(candidate: Candidate) -> set[tuple]:
    """What two files of the same person may share: email, phone, or names and date of birth."""
    keys: set[tuple] = set()
    if candidate.email:
        keys.add(("email", candidate.email.casefold()))
    if phone := stored_phone(candidate):
        keys.add(("phone", phone))
    if candidate.date_of_birth:
        keys.add(("name", _fold(candidate.first_name), _fold(candidate.last_name), candidate.date_of_birth))
    return keys


def with_possible_duplicates(candidates: list[Candidate]) -> list[Candidate]:
    """Set `possible_duplicates` on each candidate of the page: the other files with the same
    email (case-insensitive), the same phone, or the same name (case- and accent-insensitive) and
    date of birth. One query for the whole page."""
    for candidate in candidates:
        candidate.possible_duplicates = []
    if not candidates:
        return candidates
    others = Candidate.objects.possible_duplicates_of(candidates)
    by_key: dict[tuple, list[Candidate]] = {}
    for candidate in candidates:
        for key in duplicate_keys(candidate):
            by_key.setdefault(key, []).append(candidate)
    for other in others:
        matches = {candidate.pk: candidate for key in duplicate_keys(other) for candidate in by_key.get(key, ())}
        matches.pop(other.pk, None)
        for candidate in matches.values():
            candidate.possible_duplicates.append(other)
    return candidates


def _tab_candidates(tab: str, user, answers_since: datetime.datetime):
    candidates = Candidate.objects.all()
    if tab == "a-trier":
        return candidates.to_triage()
    if tab == "mes-candidats":
        return candidates.counselled_by(user)
    if tab == "orientations":
        return candidates.open_files().with_pending_referral()
    if tab == "reponses":
        return candidates.with_referral_answered_since(answers_since, user=user)
    return candidates.open_files()


@counsellor_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The counsellors' lists, one per tab, with filters, sorting and pages all in the URL. An htmx
    request gets only the part it targets: the results, or the tabs with the filters and results."""
    tab = request.GET.get("vue", DEFAULT_TAB)
    if tab not in QUEUE_TABS:
        tab = DEFAULT_TAB
    sort, order_by = _sort(request.GET.get("tri"))
    now = timezone.now()
    answers_since = request.user.referrals_seen_at or now - datetime.timedelta(days=ANSWERS_FIRST_VISIT_DAYS)
    filterset = QueueFilter(request.GET or None, queryset=_tab_candidates(tab, request.user, answers_since))
    candidates = filterset.qs
    page = QueuePage.get(
        candidates,
        order_by=order_by,
        number=_page_number(request.GET.get("page")),
        size=QUEUE_PAGE_SIZE,
        count=filterset.is_counted(),
    )
    if tab == "a-trier":
        page.object_list = with_possible_duplicates(page.object_list)
    if tab == "reponses":
        # After reading the list: the next visit shows what was answered since this one.
        counsellor_mark_referrals_seen(user=request.user, at=now)
    cutoff_date = business_days_ago(WAITING_LIMIT_BUSINESS_DAYS, timezone.localdate(now))
    context = {
        "page": page,
        "filterset": filterset,
        "tab": tab,
        "tabs": QUEUE_TABS,
        "sort": sort,
        "sort_headers": _sort_headers(sort),
        "waiting_cutoff": timezone.make_aware(datetime.datetime.combine(cutoff_date, datetime.time.min)),
        "waiting_limit": WAITING_LIMIT_BUSINESS_DAYS,
        "answers_since": answers_since,
        "back_query": urlencode({"next": request.get_full_path()}),
        # "/conseil/candidats/": each row's links append the pk (a reverse() per link and row costs
        # ~3 ms a page); tests check them against reverse().
        "files_url": reverse("candidates:file", args=[0]).removesuffix("0/"),
        # The filter's counsellor choices, read once (no COUNT) and reused by the bulk assignment.
        "counsellors": filterset.counsellor_choices() if tab == "a-trier" else (),
    }
    if request.htmx and request.htmx.target == "queue-results":
        response = render(request, "candidates/_queue_results.html", context)
    else:
        filterset.attach_select_options()
        template = "_queue_body.html" if request.htmx and request.htmx.target == "queue" else "queue.html"
        response = render(request, f"candidates/{template}", context)
    # The same URL answers a full page or a part of it: caches must tell them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _safe_next(request: HttpRequest, next_url: str) -> str:
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return reverse("candidates:queue")
    return next_url


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    return redirect(_safe_next(request, request.POST.get("next", "")))


@counsellor_required
@require_POST
def queue_take_on(request: HttpRequest) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=_int_or_none(request.POST.get("candidate")))
    try:
        candidate_take_on(candidate=candidate, by=request.user)
    except CandidateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Vous accompagnez maintenant %(name)s.") % {"name": candidate.full_name})
    return _back_to_queue(request)


@counsellor_required
@require_POST
def queue_assign(request: HttpRequest) -> HttpResponse:
    pks = [pk for value in request.POST.getlist("candidates") if (pk := _int_or_none(value)) is not None]
    counsellor = User.objects.filter(pk=_int_or_none(request.POST.get("counsellor"))).first()
    if counsellor is None:
        messages.error(request, _("Choisissez un·e conseiller·ère."))
        return _back_to_queue(request)
    try:
        assigned = candidates_assign(
            candidates=list(Candidate.objects.filter(pk__in=pks)), counsellor=counsellor, by=request.user
        )
    except CandidateError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d dossier assigné à %(name)s.",
                "%(count)d dossiers assignés à %(name)s.",
                len(assigned),
            )
            % {"count": len(assigned), "name": counsellor.get_full_name() or counsellor.email},
        )
    return _back_to_queue(request)


@counsellor_required
@require_GET
def queue_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The forms to put a file on hold or close it; each posts to its own view."""
    candidate = get_object_or_404(Candidate, pk=pk)
    return render(
        request,
        "candidates/queue_status.html",
        {
            "candidate": candidate,
            "hold_form": PutOnHoldForm(),
            "close_form": CloseForm(),
            "next": _safe_next(request, request.GET.get("next", "")),
        },
    )


@counsellor_required
@require_POST
def queue_put_on_hold(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=pk)
    form = PutOnHoldForm(request.POST)
    if form.is_valid():
        try:
            candidate_put_on_hold(candidate=candidate, by=request.user, reason=form.cleaned_data["reason"])
        except CandidateError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Le dossier de %(name)s est en pause.") % {"name": candidate.full_name})
    else:
        messages.error(request, _("La raison est trop longue."))
    return _back_to_queue(request)


@counsellor_required
@require_POST
def queue_close(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        context = {"candidate": candidate, "hold_form": PutOnHoldForm(), "close_form": form}
        context["next"] = _safe_next(request, request.POST.get("next", ""))
        return render(request, "candidates/queue_status.html", context, status=400)
    try:
        candidate_close(candidate=candidate, by=request.user, reason=form.reason_text())
    except CandidateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Le dossier de %(name)s est fermé.") % {"name": candidate.full_name})
    return _back_to_queue(request)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


@counsellor_required
@require_GET
def file(request: HttpRequest, pk: int) -> HttpResponse:
    """The counsellor's view of a file. Each opening is logged (Law 25); the number of queries
    does not depend on how many notes, events, referrals or accesses the file has."""
    candidate = get_object_or_404(
        Candidate.objects.for_list()
        .select_related("maturity__mature_by", "maturity__updated_by")
        .prefetch_related(
            "consents",
            "events__actor",
            Prefetch("coaching_notes", queryset=CoachingNote.objects.select_related("author")),
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related("territory", "answered_by", "sent_by").prefetch_related(
                    follow_ups_prefetch()
                ),
            ),
        ),
        pk=pk,
    )
    file_access_record(candidate_id=candidate.pk, user=request.user)
    accesses = list(
        FileAccess.objects.filter(candidate=candidate)
        .select_related("user")
        .order_by("-at", "-id")[:FILE_ACCESSES_SHOWN]
    )
    assessment = getattr(candidate, "maturity", None)
    now = timezone.now()
    notes = list(candidate.coaching_notes.all())
    for note in notes:
        note.editable = note.is_editable_by(request.user, now=now)
    is_mature = bool(assessment and assessment.is_mature)
    checklist = maturity_checklist(candidate, assessment)
    reassign_form = None
    if candidate_can_be_reassigned(candidate):
        colleagues = [user for user in reassign_counsellors() if user.pk != candidate.counsellor_id]
        reassign_form = ReassignForm(counsellors=colleagues)
    context = {
        "candidate": candidate,
        **referral_file_context(candidate, is_mature=is_mature),
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
        "target_agents": _target_agents(candidate),
    }
    return render(request, "candidates/file.html", context)


def _target_agents(candidate: Candidate) -> list[tuple]:
    """Each target territory (in order) with its active agents, in one query."""
    targets = sorted(candidate.targets.all(), key=lambda target: target.rank)
    by_territory: dict[int, list[Agent]] = {target.territory_id: [] for target in targets}
    agents = (
        Agent.objects.active()
        .filter(territories__in=by_territory)
        .annotate(territory_id=F("territories"))
        .order_by("last_name", "first_name")
    )
    for agent in agents:
        by_territory[agent.territory_id].append(agent)
    return [(target.territory, by_territory[target.territory_id]) for target in targets]


FILE_ACCESSES_SHOWN = 20


def _back_to_file(candidate_pk: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("candidates:file", args=[candidate_pk]) + (f"#{anchor}" if anchor else ""))


def _form_errors_to_messages(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@counsellor_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=pk)
    form = CoachingNoteForm(request.POST)
    if form.is_valid():
        try:
            coaching_note_add(candidate=candidate, by=request.user, text=form.cleaned_data["text"])
        except CandidateError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Note ajoutée."))
    else:
        _form_errors_to_messages(request, form)
    return _back_to_file(candidate.pk, "notes")


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
            return _back_to_file(pk, "notes")
    else:
        form = CoachingNoteForm(initial={"text": note.text})
    editable = note.is_editable_by(request.user)
    return render(
        request,
        "candidates/file_note_edit.html",
        {"note": note, "candidate": note.candidate, "form": form, "editable": editable},
        status=200 if request.method == "GET" else 400,
    )


@counsellor_required
@require_POST
def maturity_ticks(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=pk)
    form = MaturityTicksForm(request.POST)
    if form.is_valid():
        try:
            maturity_update(candidate=candidate, by=request.user, ticks=form.cleaned_data)
        except CandidateError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Liste de vérification enregistrée."))
    return _back_to_file(candidate.pk, "maturite")


@counsellor_required
@require_POST
def request_sharing_consent(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=pk)
    try:
        candidate_request_sharing_consent(candidate=candidate, by=request.user)
    except CandidateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Demande envoyée : la personne reçoit un courriel pour donner son accord."))
    return _back_to_file(candidate.pk, "orienter")


@counsellor_required
@require_POST
def declare_mature(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=pk)
    form = DeclareMatureForm(request.POST)
    if form.is_valid():
        try:
            candidate_declare_mature(candidate=candidate, by=request.user, note=form.cleaned_data["note"])
        except CandidateError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Projet déclaré mûr : vous pouvez orienter la personne."))
    else:
        _form_errors_to_messages(request, form)
    return _back_to_file(candidate.pk, "maturite")


@counsellor_required
@require_POST
def withdraw_maturity(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=pk)
    form = WithdrawMaturityForm(request.POST)
    if form.is_valid():
        try:
            candidate_withdraw_maturity(candidate=candidate, by=request.user, reason=form.cleaned_data["reason"])
        except CandidateError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Décision « projet mûr » retirée."))
    else:
        _form_errors_to_messages(request, form)
    return _back_to_file(candidate.pk, "maturite")


@counsellor_required
@require_POST
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=pk)
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
        _form_errors_to_messages(request, form)
    return _back_to_file(candidate.pk)


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
        for candidate in Candidate.objects.filter(pk__in=(pk, other_pk))
        .select_related("counsellor")
        .annotate(
            events_count=_count_of(CandidateEvent),
            notes_count=_count_of(CoachingNote),
            referrals_count=_count_of(Referral),
            consents_count=_count_of(Consent),
        )
    }
    if len(candidates) != 2:
        raise Http404
    return render(
        request,
        "candidates/merge_confirm.html",
        {"keep": candidates[pk], "merge": candidates[other_pk]},
    )


@counsellor_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge the file `other` (a POST field) into the file `pk`, then show the kept file."""
    keep = get_object_or_404(Candidate, pk=pk)
    other = get_object_or_404(Candidate, pk=_int_or_none(request.POST.get("other")))
    try:
        candidates_merge(keep=keep, merge=other, by=request.user)
    except CandidateError as error:
        messages.error(request, str(error))
        return redirect("candidates:merge_confirm", pk=keep.pk, other_pk=other.pk)
    messages.success(
        request,
        _("Le dossier n° %(merged)s a été fusionné dans celui-ci.") % {"merged": other.pk},
    )
    return _back_to_file(keep.pk)
