"""The bench's data set: people, then candidates in batches, each batch followed by the rows that
hang off a candidate (SEEDERS), all written with explicit primary keys (COPY on PostgreSQL, copy.py)."""

import datetime
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count
from random import Random

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
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
from referrals.models import Referral, ReferralStatus, ReferralTransition
from territories.models import Agent, Territory
from territories.services import territories_load

from .copy import copy_available, gin_indexes_built_after, rows_insert
from .names import COUNTRIES, FIRST_NAMES, LAST_NAMES, OCCUPATIONS

BATCH_SIZE = 2000
DOMAIN = "bench.pajr.localhost"

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
ENDED = {CandidateStatus.CLOSED, CandidateStatus.SETTLED}
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


# Seeded models whose auto_now(_add) dates are given (later issues add theirs).
DATED_MODELS = [Consent, CandidateEvent, Referral, ReferralTransition, CoachingNote, MaturityAssessment]
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
        # seed_consents gives every submitted file its consents (COPY writes no Consent.save).
        coaching_consent=submitted_at is not None,
        status=status,
        counsellor_id=None
        if status in (CandidateStatus.DRAFT, CandidateStatus.NEW)
        else rng.choice(seed.counsellor_ids),
        created_at=created_at,
        updated_at=submitted_at or created_at,
        closed_at=seed.between(submitted_at, seed.now) if status in ENDED and submitted_at else None,
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


def bench_seed(
    *,
    candidates: int,
    seed: int = 2026,
    now: datetime.datetime | None = None,
    copy: bool | None = None,
    log: Callable[[str], None] = print,
) -> tuple[User, dict]:
    """Fill the (empty, migrated) bench database. Returns the coordinator and the row counts.
    `copy`: write with COPY (the default on PostgreSQL) or bulk_create."""
    copy = copy_available() if copy is None else copy
    rng = Random(seed)  # noqa: S311 - test data, not security
    territories_load(wet_run=True)
    with transaction.atomic():
        coordinator, counsellor_ids, agents_by_territory = _seed_people(rng)
    state = Seed(
        rng=rng,
        now=now or timezone.now(),
        territories=list(Territory.objects.active()),
        agents_by_territory=agents_by_territory,
        counsellor_ids=counsellor_ids,
    )
    # Explicit primary keys: users are numbered after the staff accounts already there.
    state.ids["user"] = count(User.objects.aggregate(m=models.Max("id"))["m"] + 1)
    seeded_models: list[type[models.Model]] = [User, Candidate]
    rows = {"candidates": 0, "users": 0}
    with _dates_as_given(User, Candidate, *DATED_MODELS), gin_indexes_built_after(copy):
        for start in range(1, candidates + 1, BATCH_SIZE):
            with transaction.atomic():
                pairs = [_build_candidate(state, i) for i in range(start, min(start + BATCH_SIZE, candidates + 1))]
                rows_insert(User, [u for u, _ in pairs], batch_size=BATCH_SIZE, copy=copy)
                batch = [c for _, c in pairs]
                rows_insert(Candidate, batch, batch_size=BATCH_SIZE, copy=copy)
                rows["candidates"] += len(batch)
                rows["users"] += len(batch)
                for seeder in SEEDERS.values():
                    by_model: dict[type[models.Model], list[models.Model]] = {}
                    for obj in seeder(state, batch):
                        by_model.setdefault(type(obj), []).append(obj)
                    for model, objs in by_model.items():
                        rows_insert(model, objs, batch_size=BATCH_SIZE, copy=copy)
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
