"""`manage.py bench`: seed a realistic data set in a database of its own and time the pages that
must stay fast at 100,000 candidates (issue 4, "Speed, measured").

Two registries are the extension points for later issues:
- SEEDERS: one function per table hanging off a candidate (targets, consents, events, referrals...).
  Each takes the Seed and a batch of freshly built candidates and returns unsaved model instances
  with explicit primary keys; the runner bulk-creates them in the order they come.
- CASES: one function per measured case, returning a CaseResult.
"""

import datetime
import json
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32
from itertools import count
from pathlib import Path
from random import Random
from typing import TYPE_CHECKING
from urllib.parse import quote

from celery import shared_task
from django.conf import settings
from django.contrib import admin
from django.core.mail import EmailMessage
from django.core.management.color import no_style
from django.db import connection, models, reset_queries, transaction
from django.db.models.signals import post_save
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.models import Language, User
from candidates.models import (
    Candidate,
    CandidateEvent,
    CandidateStatus,
    CandidateTarget,
    CoachingNote,
    Consent,
    ContactMethod,
    DiplomaLevel,
    DiplomaRecognition,
    HousingNeed,
    ImmigrationStatus,
    LanguageLevel,
    MaturityAssessment,
    ProfileKind,
    QuebecExperience,
    Timeline,
)
from candidates.services import REFERABLE_STATUSES
from notifications.models import OutboxEmail
from pajr.celery import app as celery_app
from referrals.models import Referral, ReferralStatus, ReferralTransition
from referrals.services import referral_send
from territories.models import Agent, Region, Territory
from territories.services import agent_account_ensure, territories_load

if TYPE_CHECKING:
    from aiosmtpd.controller import Controller

# The pages measured, in one place: the queue's parameters are those of candidates/filters.py
# (QueueFilter) and of its tabs (?vue=). {region} (a Region's pk, as QueueFilter.region takes it),
# {last_name} and {candidate_id} are filled in.
URLS = {
    "queue_triage": "/conseil/",  # "À trier", the tab a counsellor lands on
    "queue": "/conseil/?vue=tous",
    "queue_filtered": "/conseil/?vue=tous&region={region}&statut=new",
    "queue_search": "/conseil/?vue=tous&q={last_name}",
    "candidate_file": "/conseil/candidats/{candidate_id}/",
    "admin_changelist": "/admin/candidates/candidate/",
    "admin_search": "/admin/candidates/candidate/?q={last_name}",
    "statistics": "/statistiques/",  # issue 7: all periods, regions and profiles
}
SEARCHED_LAST_NAME = "Tremblay"  # the most common last name in Québec, and in FIRST/LAST_NAMES below
WARM_UP_REQUESTS = 2
BATCH_SIZE = 2000
DOMAIN = "bench.pajr.localhost"

FIRST_NAMES = [
    "Léa", "Emma", "Olivia", "Alice", "Florence", "Charlotte", "Rosalie", "Béatrice", "Zoé", "Juliette",
    "William", "Thomas", "Liam", "Noah", "Jacob", "Félix", "Nathan", "Samuel", "Émile", "Louis",
    "Mathis", "Olivier", "Gabriel", "Jean-Philippe", "Marie-Ève", "Camille", "Mélissa", "Alexandre",
    "Amina", "Fatima", "Yasmine", "Karim", "Mohamed", "Youssef", "Aïcha", "Moussa", "Mariam", "Ibrahim",
    "Carlos", "Sofía", "Diego", "Valentina", "Mateo", "Lucía", "Priya", "Arjun", "Anjali", "Rohan",
    "Nguyen", "Linh", "Minh", "Wei", "Mei", "Daniel", "Chidi", "Ngozi", "Kofi", "Awa", "Oksana", "Andriy",
]  # fmt: skip
LAST_NAMES = [
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Gagné",
    "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette", "Girard", "Simard",
    "Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé", "Poirier", "Fournier", "Lapointe", "Leclerc",
    "Diallo", "Traoré", "Benali", "Haddad", "Belkacem", "Mansour", "El Amrani", "Nasser", "Touré", "Keita",
    "Mendoza", "García", "Rodríguez", "Hernández", "López", "Sharma", "Patel", "Singh", "Nguyen", "Tran",
    "Pham", "Li", "Wang", "Chen", "Okafor", "Mensah", "Kovalenko", "Shevchenko", "Joseph", "Pierre",
]  # fmt: skip
OCCUPATIONS = [
    "Soins infirmiers", "Génie civil", "Comptabilité", "Enseignement", "Soudure", "Mécanique automobile",
    "Informatique", "Agriculture", "Cuisine", "Éducation à la petite enfance", "Électricité", "Foresterie",
    "Administration", "Pharmacie", "Transport routier", "Vente", "Travail social", "Menuiserie",
]  # fmt: skip
COUNTRIES = ["MA", "DZ", "TN", "SN", "CI", "CM", "FR", "BE", "MX", "CO", "IN", "VN", "CN", "NG", "UA", "HT", "BR"]
FILTERED_REGION_CODE = "02"  # Saguenay–Lac-Saint-Jean

# Share of the candidates in each status (sums to 1).
STATUS_WEIGHTS = {
    CandidateStatus.DRAFT: 0.03,
    CandidateStatus.NEW: 0.35,
    CandidateStatus.COACHING: 0.30,
    CandidateStatus.REFERRED: 0.10,
    CandidateStatus.TAKEN_ON: 0.08,
    CandidateStatus.MOVED: 0.03,
    CandidateStatus.SETTLED: 0.02,
    CandidateStatus.ON_HOLD: 0.04,
    CandidateStatus.CLOSED: 0.05,
}
AFTER_ACCEPTED = {CandidateStatus.TAKEN_ON, CandidateStatus.MOVED, CandidateStatus.SETTLED}
# The path each status went through since registration (events are written along it).
PATHS = {
    CandidateStatus.DRAFT: [],
    CandidateStatus.NEW: [],
    CandidateStatus.COACHING: [CandidateStatus.COACHING],
    CandidateStatus.REFERRED: [CandidateStatus.COACHING, CandidateStatus.REFERRED],
    CandidateStatus.TAKEN_ON: [CandidateStatus.COACHING, CandidateStatus.REFERRED, CandidateStatus.TAKEN_ON],
    CandidateStatus.MOVED: [
        CandidateStatus.COACHING,
        CandidateStatus.REFERRED,
        CandidateStatus.TAKEN_ON,
        CandidateStatus.MOVED,
    ],
    CandidateStatus.SETTLED: [
        CandidateStatus.COACHING,
        CandidateStatus.REFERRED,
        CandidateStatus.TAKEN_ON,
        CandidateStatus.MOVED,
        CandidateStatus.SETTLED,
    ],
    CandidateStatus.ON_HOLD: [CandidateStatus.COACHING, CandidateStatus.ON_HOLD],
    CandidateStatus.CLOSED: [CandidateStatus.COACHING, CandidateStatus.CLOSED],
}


# --- Seeding ------------------------------------------------------------------------------------


@dataclass
class Seed:
    rng: Random
    now: datetime.datetime
    territories: list[Territory]
    agents_by_territory: dict[int, list[int]]
    counsellor_ids: list[int]
    ids: dict[str, Iterator[int]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        return next(self.ids.setdefault(table, count(1)))

    def between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime:
        return start + (end - start) * self.rng.random()


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "-")


@contextmanager
def _dates_as_given(*model_classes: type[models.Model]) -> Iterator[None]:
    """bulk_create calls pre_save, which overwrites auto_now(_add) dates with now: switch them off so
    the seeded rows keep dates spread over two years."""
    fields = [
        f
        for m in model_classes
        for f in m._meta.concrete_fields
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def seed_targets(seed: Seed, candidates: list[Candidate]) -> Iterable[models.Model]:
    for candidate in candidates:
        if candidate.targets_undecided:
            continue
        for rank, territory in enumerate(seed.rng.sample(seed.territories, seed.rng.choice((1, 1, 2, 3))), start=1):
            yield CandidateTarget(
                id=seed.next_id("target"), candidate_id=candidate.id, territory_id=territory.id, rank=rank
            )
            if rank == 1:
                candidate._bench_first_territory = territory


def seed_consents(seed: Seed, candidates: list[Candidate]) -> Iterable[models.Model]:
    for candidate in candidates:
        if candidate.submitted_at is None:
            continue
        purposes = [Consent.Purpose.COACHING, Consent.Purpose.SHARING]
        if seed.rng.random() < 0.4:
            purposes.append(Consent.Purpose.NEWS)
        for purpose in purposes:
            yield Consent(
                id=seed.next_id("consent"),
                candidate_id=candidate.id,
                purpose=purpose,
                granted=True,
                text_version="2026-01",
                method=Consent.Method.REGISTRATION_FORM,
                created_at=candidate.submitted_at,
            )


def seed_events(seed: Seed, candidates: list[Candidate]) -> Iterable[models.Model]:
    """Registration, then one status change per step of the candidate's path: taking the file on
    (NEW → COACHING) is an ASSIGNED event, as candidates_assign records it."""
    for candidate in candidates:
        if candidate.submitted_at is None:
            continue
        yield CandidateEvent(
            id=seed.next_id("event"),
            candidate_id=candidate.id,
            kind=CandidateEvent.Kind.REGISTERED,
            to_status=CandidateStatus.NEW,
            created_at=candidate.submitted_at,
        )
        previous, at = CandidateStatus.NEW, candidate.submitted_at
        for status in PATHS[candidate.status]:
            at = seed.between(at, min(at + datetime.timedelta(days=60), seed.now))
            taken_on = status == CandidateStatus.COACHING and previous == CandidateStatus.NEW
            yield CandidateEvent(
                id=seed.next_id("event"),
                candidate_id=candidate.id,
                kind=CandidateEvent.Kind.ASSIGNED if taken_on else CandidateEvent.Kind.STATUS_CHANGED,
                from_status=previous,
                to_status=status,
                actor_id=candidate.counsellor_id,
                note="Pris·e en charge" if taken_on else "",
                created_at=at,
            )
            if taken_on:
                candidate._bench_taken_on = at
            previous = status
        candidate._bench_last_change = at


def seed_referrals(seed: Seed, candidates: list[Candidate]) -> Iterable[models.Model]:
    """About 30 % of the candidates referred: pending for REFERRED, accepted for TAKEN_ON and later,
    declined or expired for some in coaching or closed; some were declined once before. At most one
    pending referral per candidate (the conditional unique constraint)."""
    for candidate in candidates:
        territory = getattr(candidate, "_bench_first_territory", None)
        if territory is None or candidate.submitted_at is None:
            continue
        r = seed.rng.random()
        if candidate.status == CandidateStatus.REFERRED:
            outcomes = [ReferralStatus.DECLINED, ReferralStatus.PENDING] if r < 0.2 else [ReferralStatus.PENDING]
        elif candidate.status in AFTER_ACCEPTED:
            outcomes = [ReferralStatus.DECLINED, ReferralStatus.ACCEPTED] if r < 0.15 else [ReferralStatus.ACCEPTED]
        elif candidate.status == CandidateStatus.COACHING and r < 0.12:
            outcomes = [seed.rng.choice((ReferralStatus.DECLINED, ReferralStatus.EXPIRED))]
        elif candidate.status == CandidateStatus.CLOSED and r < 0.2:
            outcomes = [ReferralStatus.WITHDRAWN]
        else:
            continue
        at = candidate.submitted_at
        chain = uuid.UUID(int=seed.rng.getrandbits(128), version=4)
        for rank, status in enumerate(outcomes, start=1):
            at = seed.between(at, min(at + datetime.timedelta(days=90), seed.now))
            agents = seed.agents_by_territory.get(territory.id) or [None]
            answered = status in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED)
            answered_at = seed.between(at, min(at + datetime.timedelta(days=10), seed.now)) if answered else None
            referral = Referral(
                id=seed.next_id("referral"),
                candidate_id=candidate.id,
                territory_id=territory.id,
                sent_by_id=candidate.counsellor_id or seed.counsellor_ids[0],
                message="Projet mûr : CV revu, séjour exploratoire fait.",
                status=status,
                decline_reason="Aucun poste dans ce domaine en ce moment." if status == ReferralStatus.DECLINED else "",
                answered_by_id=agents[0] if answered else None,
                answered_at=answered_at,
                created_at=at,
                sent_at=at,
                chain=chain,  # a declined territory, then the next one of the list
                rank=rank,
                expires_at=at + datetime.timedelta(days=settings.REFERRAL_ANSWER_DAYS),
            )
            yield referral
            yield ReferralTransition(
                id=seed.next_id("referral_transition"),
                referral_id=referral.id,
                from_status="",
                to_status=ReferralStatus.PENDING,
                by_user_id=referral.sent_by_id,
                created_at=at,
            )
            if status != ReferralStatus.PENDING:
                yield ReferralTransition(
                    id=seed.next_id("referral_transition"),
                    referral_id=referral.id,
                    from_status=ReferralStatus.PENDING,
                    to_status=status,
                    by_agent_id=referral.answered_by_id,
                    reason=referral.decline_reason,
                    created_at=answered_at or referral.expires_at,
                )


# Coached files (COACHING and every status after it) have notes and a maturity assessment.
COACHED_STATUSES = {status for status, path in PATHS.items() if CandidateStatus.COACHING in path}
NOTE_TEXTS = [
    "Premier appel : projet d'installation encore flou, deux régions envisagées.",
    "CV revu ensemble, à reprendre pour le marché québécois (format, références).",
    "Démarches de reconnaissance du diplôme expliquées ; dossier à l'ordre professionnel à ouvrir.",
    "A participé à la séance d'information sur les régions. Intérêt pour un séjour exploratoire.",
    "Conjoint·e et deux enfants : places en garderie à vérifier avec l'agent·e du territoire.",
    "Francisation à temps partiel en cours, niveau suffisant pour l'emploi visé d'ici l'été.",
]


def seed_coaching_notes(seed: Seed, candidates: list[Candidate]) -> Iterable[models.Model]:
    """One to six notes per coached file, by its counsellor, after the file was taken on."""
    for candidate in candidates:
        taken_on = getattr(candidate, "_bench_taken_on", None)
        if candidate.status not in COACHED_STATUSES or taken_on is None:
            continue
        at = taken_on
        for _ in range(seed.rng.randint(1, 6)):
            at = seed.between(at, min(at + datetime.timedelta(days=30), seed.now))
            yield CoachingNote(
                id=seed.next_id("coaching_note"),
                candidate_id=candidate.id,
                author_id=candidate.counsellor_id or seed.counsellor_ids[0],
                text=seed.rng.choice(NOTE_TEXTS),
                created_at=at,
                updated_at=at,
            )


def seed_maturity(seed: Seed, candidates: list[Candidate]) -> Iterable[models.Model]:
    """An assessment for every coached file: items ticked as coaching goes on; the project declared
    mature (with its MATURITY_DECLARED event) for every file referred or further, and for about a
    quarter of the files in coaching."""
    for candidate in candidates:
        taken_on = getattr(candidate, "_bench_taken_on", None)
        if candidate.status not in COACHED_STATUSES or taken_on is None:
            continue
        referred = CandidateStatus.REFERRED in PATHS[candidate.status]
        mature = referred or (candidate.status == CandidateStatus.COACHING and seed.rng.random() < 0.25)
        at = seed.between(taken_on, min(taken_on + datetime.timedelta(days=45), seed.now))
        counsellor_id = candidate.counsellor_id or seed.counsellor_ids[0]
        note = "CV retravaillé, séjour exploratoire fait, logement et garderie vus avec le territoire."
        yield MaturityAssessment(
            id=seed.next_id("maturity"),
            candidate_id=candidate.id,
            cv_reworked=mature or seed.rng.random() < 0.5,
            work_authorization_valid=mature or seed.rng.random() < 0.6,
            french_adequate=mature or seed.rng.random() < 0.5,
            region_explored=mature or seed.rng.random() < 0.3,
            updated_by_id=counsellor_id,
            updated_at=at,
            mature_at=at if mature else None,
            mature_by_id=counsellor_id if mature else None,
            mature_note=note if mature else "",
        )
        if mature:
            yield CandidateEvent(
                id=seed.next_id("event"),
                candidate_id=candidate.id,
                kind=CandidateEvent.Kind.MATURITY_DECLARED,
                actor_id=counsellor_id,
                note=note,
                created_at=at,
            )


ROW_KEYS = {
    CandidateTarget: "targets",
    Consent: "consents",
    CandidateEvent: "events",
    Referral: "referrals",
    ReferralTransition: "referral_transitions",
    CoachingNote: "coaching_notes",
    MaturityAssessment: "maturity_assessments",
}
# Tables hanging off a candidate, seeded in this order. Later issues add one function here.
SEEDERS: dict[str, Callable[[Seed, list[Candidate]], Iterable[models.Model]]] = {
    "targets": seed_targets,
    "consents": seed_consents,
    "events": seed_events,
    "referrals": seed_referrals,
    "coaching_notes": seed_coaching_notes,
    "maturity": seed_maturity,
}


def _build_candidate(seed: Seed, candidate_id: int) -> tuple[User | None, Candidate]:
    rng = seed.rng
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email = f"{_ascii(first)}.{_ascii(last)}.{candidate_id}@{DOMAIN}"
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    kind = rng.choices([ProfileKind.IMMIGRANT, ProfileKind.NEO_RURAL, ProfileKind.NATIVE], weights=[0.55, 0.30, 0.15])[
        0
    ]
    created_at = seed.now - datetime.timedelta(days=730) * rng.random()
    submitted_at = None
    if status != CandidateStatus.DRAFT:
        submitted_at = seed.between(created_at, min(created_at + datetime.timedelta(days=3), seed.now))
    language = Language.EN if rng.random() < 0.15 else Language.FR
    immigrant = kind == ProfileKind.IMMIGRANT
    user = User(
        id=seed.next_id("user"),
        email=email,
        first_name=first,
        last_name=last,
        password="!bench-unusable",  # noqa: S106 - an unusable password, nobody signs in as them
        role=User.Role.CANDIDATE,
        language=language,
        date_joined=created_at,
    )
    age_days = rng.randint(18 * 365 + 5, 40 * 365)
    candidate = Candidate(
        id=candidate_id,
        user_id=user.id,
        first_name=first,
        last_name=last,
        email=email,
        phone=f"+1418{rng.randint(2000000, 9999999)}" if rng.random() < 0.7 else "",
        date_of_birth=(seed.now - datetime.timedelta(days=age_days)).date(),
        language=language,
        profile_kind=kind,
        country_of_origin=rng.choice(COUNTRIES) if immigrant else "",
        arrival_date=(created_at - datetime.timedelta(days=rng.randint(30, 2000))).date() if immigrant else None,
        immigration_status=rng.choice(ImmigrationStatus.values) if immigrant else "",
        diploma_recognition=rng.choice(DiplomaRecognition.values) if immigrant else "",
        quebec_experience=rng.choice(QuebecExperience.values) if immigrant else "",
        french_level=rng.choice(LanguageLevel.values),
        english_level=rng.choice(LanguageLevel.values),
        occupation_field=rng.choice(OCCUPATIONS),
        highest_diploma=rng.choice(DiplomaLevel.values),
        years_experience=rng.randint(0, 15),
        goals="Trouver un emploi dans mon domaine et m'installer en région avec ma famille.",
        contact_method=rng.choice(ContactMethod.values),
        targets_undecided=rng.random() < 0.05,
        timeline=rng.choice(Timeline.values),
        has_partner=rng.random() < 0.5,
        children_count=rng.choice((0, 0, 0, 1, 2, 3)),
        housing_need=rng.choice(HousingNeed.values),
        registration_step=rng.randint(1, 4) if status == CandidateStatus.DRAFT else 5,
        submitted_at=submitted_at,
        status=status,
        counsellor_id=None
        if status in (CandidateStatus.DRAFT, CandidateStatus.NEW)
        else rng.choice(seed.counsellor_ids),
        created_at=created_at,
        updated_at=submitted_at or created_at,
    )
    return user, candidate


def _seed_people(rng: Random) -> tuple[User, list[int], dict[int, list[int]]]:
    """The coordinator, ~20 counsellors and one or two agents per territory."""
    coordinator = User.objects.create_superuser(
        email=f"coordination@{DOMAIN}", password=None, first_name="Claire", last_name="Lavoie"
    )
    counsellors = User.objects.bulk_create(
        User(
            email=f"conseil{i}@{DOMAIN}",
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            password="!bench-unusable",  # noqa: S106
            role=User.Role.COUNSELLOR,
        )
        for i in range(1, 21)
    )
    agents_by_territory: dict[int, list[int]] = {}
    for territory in Territory.objects.order_by("code"):
        for n in range(rng.choice((1, 1, 2))):
            agent = Agent.objects.create(
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                email=f"agent{n}-{territory.code.lower()}@{DOMAIN}",
            )
            agent.territories.add(territory)
            agents_by_territory.setdefault(territory.id, []).append(agent.id)
    return coordinator, [u.id for u in counsellors], agents_by_territory


def bench_seed(*, candidates: int, seed: int = 2026, log: Callable[[str], None] = print) -> tuple[User, dict]:
    """Fill the (empty, migrated) bench database. Returns the coordinator and the row counts."""
    rng = Random(seed)  # noqa: S311 - test data, not security
    territories_load(wet_run=True)
    with transaction.atomic():
        coordinator, counsellor_ids, agents_by_territory = _seed_people(rng)
    state = Seed(
        rng=rng,
        now=timezone.now(),
        territories=list(Territory.objects.active()),
        agents_by_territory=agents_by_territory,
        counsellor_ids=counsellor_ids,
    )
    # Explicit primary keys: users are numbered after the staff accounts already there.
    state.ids["user"] = count(User.objects.aggregate(m=models.Max("id"))["m"] + 1)
    seeded_models: list[type[models.Model]] = [User, Candidate]
    rows = {"candidates": 0, "users": 0}
    with _dates_as_given(
        User, Candidate, Consent, CandidateEvent, Referral, ReferralTransition, CoachingNote, MaturityAssessment
    ):
        for start in range(1, candidates + 1, BATCH_SIZE):
            with transaction.atomic():
                pairs = [_build_candidate(state, i) for i in range(start, min(start + BATCH_SIZE, candidates + 1))]
                User.objects.bulk_create([u for u, _ in pairs], batch_size=BATCH_SIZE)
                batch = Candidate.objects.bulk_create([c for _, c in pairs], batch_size=BATCH_SIZE)
                rows["candidates"] += len(batch)
                rows["users"] += len(batch)
                for seeder in SEEDERS.values():
                    by_model: dict[type[models.Model], list[models.Model]] = {}
                    for obj in seeder(state, batch):
                        by_model.setdefault(type(obj), []).append(obj)
                    for model, objs in by_model.items():
                        model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
                        key = ROW_KEYS.get(model, model._meta.db_table)
                        rows[key] = rows.get(key, 0) + len(objs)
                        if model not in seeded_models:
                            seeded_models.append(model)
            if start // BATCH_SIZE % 10 == 9:
                log(f"  {start + BATCH_SIZE - 1:,} candidates…")
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), seeded_models):
            cursor.execute(sql)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rows.update(
        territories=len(state.territories),
        agents=sum(len(a) for a in agents_by_territory.values()),
        counsellors=len(counsellor_ids),
    )
    return coordinator, rows


# --- Measuring ----------------------------------------------------------------------------------


@dataclass
class CaseResult:
    p50_ms: float
    p95_ms: float
    queries: int
    page_size: int | None = None
    note: str = ""
    per_second: float | None = None  # the notify cases: emails received per second
    emails: int | None = None  # the notify cases: emails measured


@dataclass
class Bench:
    """What the cases need: a signed-in client, a few ids, and what the queue case captured."""

    client: Client
    requests: int
    candidate_id: int
    last_name: str
    region_id: int
    queue_sql: tuple[str, tuple] | None = None
    notify: "NotifyOptions" = field(default_factory=lambda: NotifyOptions())
    rig: "NotifyRig | None" = None  # started by the first notify case, stopped by bench_measure


def _percentiles(timings: list[float]) -> tuple[float, float]:
    ms = sorted(t * 1000 for t in timings)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[-1] if len(ms) > 1 else ms[0]
    return round(statistics.median(ms), 2), round(p95, 2)


def _time_get(bench: Bench, url: str, *, record_sql: bool = False) -> CaseResult:
    for _ in range(WARM_UP_REQUESTS):
        response = bench.client.get(url)
        assert response.status_code == 200, f"GET {url}: {response.status_code}"
    executed: list[tuple[str, tuple]] = []

    def record(execute, sql, params, many, context):
        executed.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    # Counted in a request of its own: the query log slows the timed ones down. Emptied first: at
    # its 9,000-query cap (seeding with DEBUG on fills it) the log no longer grows, and counts 0.
    reset_queries()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(record):
        bench.client.get(url)
    queries = len(captured)  # now: the log is emptied at each request's start
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default=None)
    if record_sql:
        bench.queue_sql = _main_select(executed)
    timings = []
    for _ in range(bench.requests):
        start = time.perf_counter()
        bench.client.get(url)
        timings.append(time.perf_counter() - start)
    p50, p95 = _percentiles(timings)
    note = ""
    if slowest is not None:
        note = f"slowest query {float(slowest['time']) * 1000:.1f} ms: {' '.join(slowest['sql'].split())[:70]}"
    return CaseResult(p50_ms=p50, p95_ms=p95, queries=queries, note=note)


def _main_select(executed: list[tuple[str, tuple]]) -> tuple[str, tuple] | None:
    """The page's SELECT of candidates (the one with a LIMIT), not the COUNT nor the prefetches."""
    table = Candidate._meta.db_table
    for sql, params in executed:
        upper = sql.lstrip().upper()
        if upper.startswith("SELECT") and f'FROM "{table}"' in sql and "LIMIT" in upper and "COUNT(" not in upper:
            return sql, params
    return None


def _queue_page_size() -> int | None:
    from counselling import selectors as views

    return getattr(views, "QUEUE_PAGE_SIZE", None)


def case_queue_triage(bench: Bench) -> CaseResult:
    """The "À trier" tab, the default one: NEW, unassigned, consenting files, with possible duplicates."""
    result = _time_get(bench, URLS["queue_triage"])
    result.page_size = _queue_page_size()
    return result


def case_queue(bench: Bench) -> CaseResult:
    result = _time_get(bench, URLS["queue"], record_sql=True)
    result.page_size = _queue_page_size()
    return result


def case_queue_filtered(bench: Bench) -> CaseResult:
    result = _time_get(bench, URLS["queue_filtered"].format(region=bench.region_id))
    result.page_size = _queue_page_size()
    return result


def case_queue_search(bench: Bench) -> CaseResult:
    result = _time_get(bench, URLS["queue_search"].format(last_name=bench.last_name))
    result.page_size = _queue_page_size()
    return result


def case_candidate_file(bench: Bench) -> CaseResult:
    return _time_get(bench, URLS["candidate_file"].format(candidate_id=bench.candidate_id))


def _candidate_admin() -> admin.ModelAdmin:
    return admin.site._registry[Candidate]


def case_admin_changelist(bench: Bench) -> CaseResult:
    result = _time_get(bench, URLS["admin_changelist"])
    result.page_size = _candidate_admin().list_per_page
    return result


def case_admin_changelist_50(bench: Bench) -> CaseResult:
    """The admin at the queue's page size, for a like-for-like comparison."""
    model_admin = _candidate_admin()
    saved = model_admin.list_per_page
    model_admin.list_per_page = _queue_page_size() or 50
    try:
        result = _time_get(bench, URLS["admin_changelist"])
        result.page_size = model_admin.list_per_page
    finally:
        model_admin.list_per_page = saved
    return result


def case_admin_search(bench: Bench) -> CaseResult:
    result = _time_get(bench, URLS["admin_search"].format(last_name=bench.last_name))
    result.page_size = _candidate_admin().list_per_page
    return result


def case_raw_sql(bench: Bench) -> CaseResult:
    """The queue page's main SELECT, re-run through a bare cursor: the database's floor."""
    if bench.queue_sql is None:
        case_queue(bench)
    if bench.queue_sql is None:
        raise RuntimeError("The queue request ran no SELECT with a LIMIT on the candidates table.")
    sql, params = bench.queue_sql
    timings = []
    with connection.cursor() as cursor:
        for i in range(WARM_UP_REQUESTS + bench.requests):
            start = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            if i >= WARM_UP_REQUESTS:
                timings.append(time.perf_counter() - start)
    p50, p95 = _percentiles(timings)
    return CaseResult(p50_ms=p50, p95_ms=p95, queries=1, page_size=_queue_page_size())


def case_statistics(bench: Bench) -> CaseResult:
    return _time_get(bench, URLS["statistics"])


# --- Notifications through the real broker, worker and SMTP (issue 6) ----------------------------
# The outbox's path end to end: referral_send commits a referral and its OutboxEmail row, the
# row is published after commit, a `celery -A pajr worker` of the bench's own (prefork, 2
# processes, the production CELERY_* settings) sends it to an SMTP server in this process, which
# notes when each Message-ID arrives.

NOTIFY_WORKER_PROCESSES = 2
NOTIFY_SENDER_THREADS = 4  # counsellors acting at once; each referral is its own transaction
NOTIFY_READY_TIMEOUT = 60
NOTIFY_BASELINE_TASK = "pajr.bench.bench_plain_email"


@dataclass
class NotifyOptions:
    rate: float = 20  # notify_steady: referrals per second…
    steady_seconds: float = 30  # …for this long
    burst: int = 1000  # notify_burst: referrals committed at once


@shared_task(name=NOTIFY_BASELINE_TASK)
def bench_plain_email(*, to: str, subject: str, body: str, message_id: str) -> None:
    """notify_baseline's task: Celery alone, one plain email per task, no database."""
    EmailMessage(subject=subject, body=body, to=[to], headers={"Message-ID": message_id}).send()


class _Arrivals:
    """aiosmtpd handler: when each message arrived (time.monotonic), by its Message-ID."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self._changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope) -> str:
        received = time.monotonic()
        headers = BytesHeaderParser(policy=compat32).parsebytes(envelope.original_content, headersonly=True)
        with self._changed:
            self.at[str(headers.get("Message-ID", "")).strip()] = received
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, message_ids: Iterable[str], *, timeout: float) -> bool:
        wanted = set(message_ids)
        with self._changed:
            return self._changed.wait_for(lambda: wanted <= self.at.keys(), timeout=timeout)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _worker_database_url() -> str:
    """The bench database (not the development one) as a DATABASE_URL for the worker."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if connection.vendor == "postgresql":
        credentials = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            credentials += ":" + quote(db["PASSWORD"], safe="")
        host, port = db["HOST"] or "", f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{credentials}{'@' if credentials else ''}{host}{port}/{quote(db['NAME'], safe='')}"
    raise NotImplementedError(f"No DATABASE_URL for {connection.vendor}")


@dataclass
class NotifyRig:
    """The SMTP server, the worker process and the queue of one bench run."""

    controller: "Controller"
    arrivals: _Arrivals
    process: subprocess.Popen
    log_path: Path
    queue: str
    nodename: str
    representative: bool
    saved_conf: dict
    counsellor: User
    candidates: list[Candidate]  # referable (NEW or COACHING, sharing consent, declared mature)
    territories: list[Territory]  # active, with exactly one active agent: 1 referral = 1 email
    sent: int = 0
    referral_queries: int = 0  # the queries of one referral_send, counted on the warm-up one

    @classmethod
    def start(cls, bench: Bench) -> "NotifyRig":
        opts = bench.notify
        needed = round(opts.rate * opts.steady_seconds) + opts.burst + 1
        from aiosmtpd.controller import Controller  # a development dependency

        counsellor, candidates, territories = _notify_prepare(needed)
        broker_url = celery_app.conf.broker_url
        representative = broker_url.startswith(("redis://", "rediss://"))
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs each SMTP command
        arrivals = _Arrivals()
        controller = Controller(arrivals, hostname="127.0.0.1", port=_free_port())
        controller.start()
        queue = f"bench-{uuid.uuid4().hex[:12]}"
        nodename = f"{queue}@{socket.gethostname()}"
        saved_conf = {key: celery_app.conf[key] for key in ("task_default_queue", "task_always_eager")}
        # The router reads task_default_queue at each publish: .delay() goes to the bench's queue.
        celery_app.conf.update(task_default_queue=queue, task_always_eager=False)
        log_path = Path(settings.VAR_DIR) / f"{queue}-worker.log"
        env = {
            **os.environ,
            "DATABASE_URL": _worker_database_url(),
            "EMAIL_URL": f"smtp://{controller.hostname}:{controller.port}",
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DEBUG": "false",  # as in production: no query log in the worker
            "PYTHONUNBUFFERED": "1",
        }
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [sys.executable, "-m", "celery", "-A", "pajr", "worker", "-P", "prefork",
                 "-c", str(NOTIFY_WORKER_PROCESSES), "-Q", queue, "-n", nodename, "-I", __name__,
                 "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"],
                cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        rig = cls(
            controller=controller,
            arrivals=arrivals,
            process=process,
            log_path=log_path,
            queue=queue,
            nodename=nodename,
            representative=representative,
            saved_conf=saved_conf,
            counsellor=counsellor,
            candidates=candidates,
            territories=territories,
        )
        try:
            deadline = time.monotonic() + NOTIFY_READY_TIMEOUT
            while " ready." not in log_path.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"The bench's Celery worker did not start:\n{rig.log_tail()}")
                time.sleep(0.1)
        except BaseException:
            rig.stop()
            raise
        return rig

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def take(self, n: int) -> list[Candidate]:
        taken = self.candidates[self.sent : self.sent + n]
        self.sent += len(taken)
        return taken

    def wait(self, message_ids: Iterable[str], what: str) -> None:
        message_ids = list(message_ids)
        if not self.arrivals.wait_for(message_ids, timeout=60 + 0.1 * len(message_ids)):
            missing = len(set(message_ids) - self.arrivals.at.keys())
            raise RuntimeError(f"{what}: {missing} of {len(message_ids)} emails never arrived.\n{self.log_tail()}")

    def consume(self, on: bool) -> None:
        """Pause or resume the worker's consumption of the queue (remote control)."""
        control = celery_app.control.add_consumer if on else celery_app.control.cancel_consumer
        replies = control(self.queue, destination=[self.nodename], reply=True, timeout=10)
        if not replies:
            raise RuntimeError(f"The worker did not answer {'add' if on else 'cancel'}_consumer.\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.controller.stop()
        with celery_app.connection_for_write() as conn:
            bound = celery_app.amqp.queues[self.queue](conn.default_channel)
            bound.declare()  # so that the channel knows the bindings it is asked to delete
            bound.delete()
        if celery_app.conf.broker_url.startswith("filesystem://"):
            control = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["control_folder"])
            (control / f"{self.queue}.exchange").unlink(missing_ok=True)
        celery_app.conf.update(self.saved_conf)
        self.log_path.unlink(missing_ok=True)


def _notify_prepare(needed: int) -> tuple[User, list[Candidate], list[Territory]]:
    """Candidates a counsellor can refer, and territories with one active agent (their accounts
    made now, as earlier referrals would have). Declares the candidates' projects mature first:
    referral_send requires it. Not timed."""
    counsellor = User.objects.filter(role=User.Role.COUNSELLOR, is_active=True).order_by("id").first()
    territories = list(
        Territory.objects.active()
        .annotate(n=models.Count("agents", filter=models.Q(agents__is_active=True)))
        .filter(n=1)
        .order_by("code")
    )
    candidates = [
        candidate
        for candidate in Candidate.objects.filter(status__in=REFERABLE_STATUSES, submitted_at__isnull=False)
        .exclude(referrals__status=ReferralStatus.PENDING)
        .order_by("id")[: needed * 2]
        if candidate.has_consent(Consent.Purpose.SHARING)
    ][:needed]
    if counsellor is None or not territories or len(candidates) < needed:
        raise RuntimeError(
            f"The notify cases need {needed:,} referable candidates (found {len(candidates):,}) and a territory "
            "with one agent: seed more --candidates or lower --notify-rate/--notify-steady-seconds/--notify-burst."
        )
    with transaction.atomic():
        now = timezone.now()
        assessed = set(
            MaturityAssessment.objects.filter(candidate__in=candidates).values_list("candidate_id", flat=True)
        )
        MaturityAssessment.objects.filter(candidate_id__in=assessed, mature_at__isnull=True).update(
            mature_at=now, mature_by=counsellor
        )
        MaturityAssessment.objects.bulk_create(
            MaturityAssessment(candidate=c, updated_by=counsellor, mature_at=now, mature_by=counsellor)
            for c in candidates
            if c.id not in assessed
        )
    for agent in Agent.objects.filter(territories__in=territories, is_active=True, user__isnull=True):
        agent_account_ensure(agent=agent)
    return counsellor, candidates, territories


@contextmanager
def _commit_times() -> Iterator[dict[str, float]]:
    """Message-ID → when the transaction that wrote the outbox row committed (time.monotonic).
    The callback is registered as the row is saved, so it runs before the row's publish."""
    committed: dict[str, float] = {}

    def on_save(sender, instance, created, **kwargs):
        if created:
            message_id = instance.message_id
            transaction.on_commit(lambda: committed.__setitem__(message_id, time.monotonic()))

    uid = f"bench-{uuid.uuid4().hex}"
    post_save.connect(on_save, sender=OutboxEmail, dispatch_uid=uid)
    try:
        yield committed
    finally:
        post_save.disconnect(sender=OutboxEmail, dispatch_uid=uid)


def _refer(rig: NotifyRig, candidates: list[Candidate], *, rate: float | None) -> tuple[float, float]:
    """Refer each candidate, one transaction each, from NOTIFY_SENDER_THREADS threads: at `rate`
    per second on a fixed schedule (a late referral does not delay the next), or as fast as they
    go. Returns the first and last commit times."""
    jobs = iter(enumerate(candidates))
    lock = threading.Lock()
    errors: list[BaseException] = []
    start = time.monotonic() + 0.05
    done: list[float] = []

    def sender() -> None:
        try:
            while True:
                with lock:
                    i, candidate = next(jobs, (None, None))
                if candidate is None:
                    return
                if rate:
                    time.sleep(max(0.0, start + i / rate - time.monotonic()))
                referral_send(
                    candidate=candidate,
                    territories=[rig.territories[i % len(rig.territories)]],
                    by=rig.counsellor,
                    message="Projet mûr : CV revu, séjour exploratoire fait.",
                )
                done.append(time.monotonic())
        except BaseException as error:  # re-raised in the main thread
            errors.append(error)
        finally:
            connection.close()  # the thread's own connection: the bench database is dropped later

    threads = [threading.Thread(target=sender) for _ in range(NOTIFY_SENDER_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return min(done), max(done)


def _latencies(rig: NotifyRig, committed: dict[str, float], since: float | None = None) -> list[float]:
    return [rig.arrivals.at[mid] - (since if since is not None else at) for mid, at in committed.items()]


def _note(rig: NotifyRig, text: str) -> str:
    if not rig.representative:
        text += "; NOT REPRESENTATIVE: filesystem broker (set CELERY_BROKER_URL=redis://…)"
    return text


def _notify_rig(bench: Bench) -> NotifyRig:
    if bench.rig is None:
        bench.rig = rig = NotifyRig.start(bench)
        # One referral first, in this thread: templates loaded, the worker's connections open,
        # and the queries of one referral_send counted.
        (candidate,) = rig.take(1)
        with _commit_times() as committed, CaptureQueriesContext(connection) as captured:
            referral_send(candidate=candidate, territories=rig.territories[:1], by=rig.counsellor)
        rig.referral_queries = len(captured)
        rig.wait(committed, "warm-up")
    return bench.rig


def case_notify_steady(bench: Bench) -> CaseResult:
    """Referrals at a steady rate; per email, from the referral's commit to the SMTP server."""
    rig = _notify_rig(bench)
    candidates = rig.take(round(bench.notify.rate * bench.notify.steady_seconds))
    with _commit_times() as committed:
        first, last = _refer(rig, candidates, rate=bench.notify.rate)
    rig.wait(committed, "notify_steady")
    p50, p95 = _percentiles(_latencies(rig, committed))
    achieved = (len(candidates) - 1) / (last - first) if len(candidates) > 1 else 0
    return CaseResult(
        p50_ms=p50,
        p95_ms=p95,
        queries=rig.referral_queries,
        emails=len(committed),
        per_second=round(len(committed) / (max(rig.arrivals.at[m] for m in committed) - first), 1),
        note=_note(
            rig,
            f"{len(committed)} emails for {len(candidates)} referrals sent at {achieved:.1f}/s "
            f"(asked {bench.notify.rate:g}/s)",
        ),
    )


def case_notify_burst(bench: Bench) -> CaseResult:
    """`--notify-burst` referrals committed while the worker is paused, then released at once:
    the rate at which the queue drains, and each email's time from the release."""
    rig = _notify_rig(bench)
    candidates = rig.take(bench.notify.burst)
    rig.consume(False)
    try:
        with _commit_times() as committed:
            first, last = _refer(rig, candidates, rate=None)
    finally:
        released = time.monotonic()
        rig.consume(True)
    rig.wait(committed, "notify_burst")
    p50, p95 = _percentiles(_latencies(rig, committed, since=released))
    drained = max(rig.arrivals.at[m] for m in committed) - released
    return CaseResult(
        p50_ms=p50,
        p95_ms=p95,
        queries=rig.referral_queries,
        emails=len(committed),
        per_second=round(len(committed) / drained, 1),
        note=_note(
            rig,
            f"{len(committed)} emails for {len(candidates)} referrals committed in {last - first:.1f} s "
            f"({len(candidates) / max(last - first, 1e-9):.0f}/s, {NOTIFY_SENDER_THREADS} threads), then released",
        ),
    )


def case_notify_baseline(bench: Bench) -> CaseResult:
    """The yardstick: Celery alone hands as many plain emails as notify_burst's referrals (no
    outbox, no database) to the same SMTP server, published while the worker is paused and
    released at once, as in notify_burst."""
    rig = _notify_rig(bench)
    n = bench.notify.burst
    message_ids = [f"<bench-{uuid.uuid4().hex}@{DOMAIN}>" for _ in range(n)]
    body = "Bonjour,\n\n" + "Une nouvelle orientation vous attend dans votre espace PAJ.\n" * 12
    rig.consume(False)
    try:
        for i, message_id in enumerate(message_ids):
            bench_plain_email.delay(
                to=f"agent-{i}@{DOMAIN}", subject=f"Orientation {i}", body=body, message_id=message_id
            )
    finally:
        released = time.monotonic()
        rig.consume(True)
    rig.wait(message_ids, "notify_baseline")
    p50, p95 = _percentiles([rig.arrivals.at[m] - released for m in message_ids])
    drained = max(rig.arrivals.at[m] for m in message_ids) - released
    return CaseResult(
        p50_ms=p50,
        p95_ms=p95,
        queries=0,
        emails=n,
        per_second=round(n / drained, 1),
        note=_note(rig, f"{n} plain emails, one task each, no outbox"),
    )


# Case name → function. `raw_sql` reuses the SQL the `queue` case captured. Later issues add theirs.
CASES: dict[str, Callable[[Bench], CaseResult]] = {
    "queue_triage": case_queue_triage,
    "queue": case_queue,
    "queue_filtered": case_queue_filtered,
    "queue_search": case_queue_search,
    "candidate_file": case_candidate_file,
    "admin_changelist": case_admin_changelist,
    "admin_changelist_50": case_admin_changelist_50,
    "admin_search": case_admin_search,
    "raw_sql": case_raw_sql,
    "statistics": case_statistics,
    "notify_steady": case_notify_steady,
    "notify_burst": case_notify_burst,
    "notify_baseline": case_notify_baseline,
}


def bench_measure(
    *, coordinator: User, cases: list[str], requests: int, notify: NotifyOptions | None = None
) -> dict[str, CaseResult]:
    """Time each case as the coordinator (a counsellor who can also open the admin), DEBUG off.
    The notify cases share one worker and SMTP server, stopped at the end."""
    candidate_id = (
        Referral.objects.filter(status=ReferralStatus.ACCEPTED).order_by("id").values_list("candidate_id", flat=True)
    ).first() or Candidate.objects.order_by("id").values_list("id", flat=True).first()
    region_id = Region.objects.get(code=FILTERED_REGION_CODE).pk
    client = Client()
    client.force_login(coordinator)
    bench = Bench(
        client=client,
        requests=requests,
        candidate_id=candidate_id,
        last_name=SEARCHED_LAST_NAME,
        region_id=region_id,
        notify=notify or NotifyOptions(),
    )
    results = {}
    # The plain static storage: the pages, not a collectstatic manifest, are under test.
    static = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], STORAGES=static):
        try:
            for name in cases:
                results[name] = CASES[name](bench)
        finally:
            if bench.rig is not None:
                bench.rig.stop()
    return results


# --- The bench database -------------------------------------------------------------------------


def bench_database_name(settings_dict: dict) -> str:
    """`bench_<name>` on a server; a file under VAR_DIR for SQLite. Never the development database."""
    if connection.vendor == "sqlite":
        return str(Path(settings.VAR_DIR) / "bench.sqlite3")
    return f"bench_{settings_dict['NAME']}"


@contextmanager
def bench_database(*, keep: bool, log: Callable[[str], None] = print) -> Iterator[str]:
    """Create an empty, migrated database of its own (like the test database), switch the default
    connection to it, and drop it afterwards unless `keep`."""
    settings_dict = connection.settings_dict
    old_name = settings_dict["NAME"]
    saved_test = dict(settings_dict.get("TEST") or {})
    settings_dict["TEST"] = {**saved_test, "NAME": bench_database_name(settings_dict), "SERIALIZE": False}
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    if name == old_name:  # belt and braces: the names come from different settings
        raise RuntimeError("The bench database would be the development database.")
    try:
        yield name
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=keep)
        log(f"{'Kept' if keep else 'Dropped'} the bench database {name}.")
        settings_dict["TEST"] = saved_test


def bench_write(path: Path, *, rows: dict, results: dict[str, CaseResult], seeding_s: float) -> dict:
    data = {
        "database": connection.vendor,
        "rows": rows,
        "seeding_s": seeding_s,
        "cases": {name: asdict(result) for name, result in results.items()},
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return data
