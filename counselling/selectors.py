"""Reads for the counsellors' pages: the queue's tabs, sorting and pages, possible duplicates,
and what the file page shows beside the file itself."""

import dataclasses
import datetime
import math
import unicodedata
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from candidates.models import Candidate, FileAccess, stored_phone
from common.planning import planned_for_values
from common.statements import compiled_once, counted_once
from referrals.models import Referral, ReferralStatus
from territories.models import Agent

from .filter_options import territory_names

QUEUE_PAGE_SIZE = 50
QUEUE_COUNT_CAP = 1000  # the lists count up to this, then say "more than 1,000"
WAITING_LIMIT_BUSINESS_DAYS = 5  # Québec's immigrant-support service: a first meeting within 5 business days
ANSWERS_FIRST_VISIT_DAYS = 30  # until the answers are first marked as read, the "Réponses" tab shows 30 days


class QueueTab(models.TextChoices):
    """The queue's tabs, by their ?vue= slug."""

    TO_TRIAGE = "a-trier", _("À trier")
    MINE = "mes-candidats", _("Mes candidat·e·s")
    ALL = "tous", _("Tous les dossiers")
    REFERRALS = "orientations", _("Orientations en attente")
    ANSWERS = "reponses", _("Réponses depuis ma dernière visite")


DEFAULT_TAB = QueueTab.TO_TRIAGE
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
SORT_LABELS = {
    "nom": _("Nom"),
    "profil": _("Profil"),
    "statut": _("Statut"),
    "conseiller": _("Conseiller·ère"),
    "attente": _("En attente depuis"),
}


def business_days_ago(days: int, today: datetime.date | None = None) -> datetime.date:
    """The date `days` business days (Monday to Friday) before `today`. Québec's statutory holidays
    are not counted out: a file waiting over one is flagged a day early, which errs on the safe side."""
    day = today or timezone.localdate()
    while days > 0:
        day -= datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def queue_tab(value: str | None) -> QueueTab:
    return QueueTab(value) if value in QueueTab.values else DEFAULT_TAB


def queue_sort(value: str | None) -> tuple[str, tuple[str, ...]]:
    """The sort asked for when it is a known column, else the default one."""
    value = value or ""
    column = value.removeprefix("-")
    if column not in QUEUE_SORTS:
        value, column = DEFAULT_SORT, DEFAULT_SORT
    fields = QUEUE_SORTS[column]
    if value.startswith("-"):
        fields = tuple(f"-{field}" for field in fields)
    return value, fields


def queue_sort_headers(sort: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the ?tri= value of its link (a second click reverses) and its
    aria-sort when the list is sorted by it."""
    headers = {}
    for column in QUEUE_SORTS:
        aria_sort = {column: "ascending", f"-{column}": "descending"}.get(sort, "")
        headers[column] = {"next": column if sort != column else f"-{column}", "aria_sort": aria_sort}
    return headers


def answers_since(user: User, now: datetime.datetime) -> datetime.datetime:
    """Since when the "Réponses" tab lists answers: the last time `user` marked them as read."""
    return user.referrals_seen_at or now - datetime.timedelta(days=ANSWERS_FIRST_VISIT_DAYS)


def with_pending_referral(candidates):
    return candidates.filter(models.Exists(Referral.objects.awaiting_answer().filter(candidate=models.OuterRef("pk"))))


def with_referral_answered_since(candidates, since: datetime.datetime, *, user: User):
    """An agent accepted or declined, after `since`, a referral `user` sent or one of a file
    `user` coaches."""
    answered = Referral.objects.filter(
        models.Q(sent_by=user) | models.Q(candidate__counsellor=user),
        status__in=(ReferralStatus.ACCEPTED, ReferralStatus.DECLINED),
        answered_at__gt=since,
    )
    return candidates.filter(pk__in=answered.values("candidate_id"))


def tab_candidates(tab: QueueTab, user: User, since: datetime.datetime):
    candidates = Candidate.objects.all()
    if tab == QueueTab.TO_TRIAGE:
        return candidates.to_triage()
    if tab == QueueTab.MINE:
        return candidates.counselled_by(user)
    if tab == QueueTab.REFERRALS:
        return with_pending_referral(candidates.open_files())
    if tab == QueueTab.ANSWERS:
        return with_referral_answered_since(candidates, since, user=user)
    return candidates.open_files()


# Counting up to the cap in submission order: "À trier" is a few files among the many NEW ones that
# the status index finds, and unordered, PostgreSQL gathers every NEW file in a bitmap before
# stopping at the cap (15 ms at 1,000,000 files, against 4 ms in order). Other tabs count faster
# unordered ("Mes candidat·e·s": 5 ms against 81 ms ordered).
TAB_COUNT_ORDER = {QueueTab.TO_TRIAGE: ("submitted_at", "id")}


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
    def get(
        cls,
        queryset,
        *,
        order_by: Sequence[str],
        number: int,
        size: int,
        count: bool = True,
        count_order_by: Sequence[str] = (),
        planned: bool = False,
    ) -> "QueuePage":
        """Without `count` (a search, a target region or territory: QueueFilter.is_counted), no
        COUNT at all: a search's first page is found fast (`planned`, below), but counting every
        "Tremblay" costs 10 to 60 ms (a sequential scan when PostgreSQL
        plans for a LIMIT). The total is then known only on the last page.

        `count_order_by` (TAB_COUNT_ORDER): an order that lets PostgreSQL stop after the cap.
        `planned` (a filtered list: QueueFilter.is_narrowed): the count and the page are planned
        for their values, not prepared (common.planning), so that the few files a person's name or
        a rare filter matches are found through their indexes rather than by walking every file."""
        with planned_for_values(queryset.db) if planned else nullcontext():
            total = None
            if count:
                capped = queryset.order_by(*count_order_by).values("pk")[: QUEUE_COUNT_CAP + 1]
                total = counted_once(capped, "queue.count")
                if total <= QUEUE_COUNT_CAP:
                    number = min(number, max(math.ceil(total / size), 1))  # past the end: the last page
            offset = (number - 1) * size
            # Its SQL compiled once per process for each tab, filter and page (common.statements).
            page = compiled_once(queryset.for_queue().with_waiting_since().order_by(*order_by), "queue.page")
            rows = list(page[offset : offset + size + 1])
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
    """Case- and accent-insensitive form of a name: "Émile Côté" and "emile cote" fold alike.
    "À trier" folds the names of its 50 files and of every file sharing one of their keys on each
    page: decomposing each character was half of with_possible_duplicates' CPU. Not kept between
    pages: a process holds no list of people's names."""
    folded = text.casefold().strip()
    if folded.isascii():  # NFKD leaves ASCII as it is, and none of it is a combining mark
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
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


MATCH_LABELS = {
    "email": _("même adresse courriel"),
    "phone": _("même numéro de téléphone"),
    "name": _("mêmes prénom, nom et date de naissance"),
}


def merge_reasons(first: Candidate, second: Candidate) -> list[str]:
    """Why two files may be the same person's (what duplicate_keys they share), in words; empty
    when they share nothing, and may not be merged."""
    shared = {key[0] for key in duplicate_keys(first) & duplicate_keys(second)}
    return [str(label) for kind, label in MATCH_LABELS.items() if kind in shared]


@dataclass
class FileSketch:
    """What the queue shows and compares of a possible duplicate (read as values: building ~100
    files as objects was a fifth of with_possible_duplicates)."""

    pk: int
    first_name: str
    last_name: str
    email: str
    date_of_birth: datetime.date | None
    phone_as_stored: str  # the name stored_phone reads (candidates.models.PHONE_AS_STORED)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def with_possible_duplicates(candidates: list[Candidate]) -> list[Candidate]:
    """Set `possible_duplicates` on each candidate of the page: the other files (FileSketch) with
    the same email (case-insensitive), the same phone, or the same name (case- and
    accent-insensitive) and date of birth. One query for the whole page."""
    for candidate in candidates:
        candidate.possible_duplicates = []
    if not candidates:
        return candidates
    others = [FileSketch(*values) for values in Candidate.objects.possible_duplicates_rows(candidates)]
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


def target_names(candidates: Sequence[Candidate]) -> dict[int, list[tuple[str, str]]]:
    """{file: [(territory, region), ...]} in the file's order of choice, the region in the active
    language: the queue's "Territoires visés" column, from each file's `target_ranks` (for_queue)
    and the kept territory names (filter_options.territory_names), without a query."""
    ranked = {
        candidate.pk: sorted(
            tuple(map(int, pair.split(":"))) for pair in (candidate.target_ranks or "").split(",") if pair
        )
        for candidate in candidates
    }
    names = territory_names({territory for pairs in ranked.values() for _rank, territory in pairs})
    return {pk: [names[territory] for _rank, territory in pairs] for pk, pairs in ranked.items()}


def target_agents(candidate: Candidate) -> list[tuple]:
    """Each target territory (in order) with its active agents, in one query."""
    targets = sorted(candidate.targets.all(), key=lambda target: target.rank)
    by_territory: dict[int, list[Agent]] = {target.territory_id: [] for target in targets}
    agents = compiled_once(
        Agent.objects.active()
        .filter(territories__in=by_territory)
        .annotate(territory_id=F("territories"))
        .order_by("last_name", "first_name"),
        "file.target_agents",
    )
    for agent in agents:
        by_territory[agent.territory_id].append(agent)
    return [(target.territory, by_territory[target.territory_id]) for target in targets]


# --- Who read the file ----------------------------------------------------------------------------

FILE_ACCESS_ROWS_READ = 200  # the log's newest rows grouped for the file page (one per reader, kind, hour)
FILE_ACCESS_GROUPS_SHOWN = 20


@dataclass
class AccessGroup:
    """Someone's readings of the file on one day: who, in which role, how many hours they read it
    (the log keeps one row per reader, kind and hour), the first and last, and what they read."""

    day: datetime.date
    name: str
    role: str
    first: datetime.datetime
    last: datetime.datetime
    count: int = 0
    kinds: list[str] = dataclasses.field(default_factory=list)


def file_access_groups(candidate: Candidate) -> list[AccessGroup]:
    """The file's access log as the file page shows it: one line per reader and day, newest
    first, instead of the same reader on line after line. One query."""
    accesses = compiled_once(
        FileAccess.objects.filter(candidate=candidate).select_related("user", "agent").order_by("-at", "-id"),
        "file.accesses",
    )[:FILE_ACCESS_ROWS_READ]
    groups: dict[tuple[str, datetime.date], AccessGroup] = {}
    for access in accesses:
        day = timezone.localdate(access.at)
        group = groups.get((access.reader, day))
        if group is None:
            if access.agent_id:
                name, role = str(access.agent), str(User.Role.AGENT.label)
            elif access.user_id:
                name = access.user.get_full_name() or access.user.email
                role = str(User.Role(access.user.role).label) if access.user.role in User.Role.values else ""
            else:
                continue
            group = groups[(access.reader, day)] = AccessGroup(
                day=day, name=name, role=role, first=access.at, last=access.at
            )
        group.count += 1
        group.first = min(group.first, access.at)
        group.last = max(group.last, access.at)
        if (kind := access.get_kind_display()) not in group.kinds:
            group.kinds.append(kind)
    return list(groups.values())[:FILE_ACCESS_GROUPS_SHOWN]
