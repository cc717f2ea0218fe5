import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import connections, models
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Upper
from django.db.models.lookups import IContains
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber

from accounts.models import Language
from common.labels import ChoiceLabels
from common.prefetch import ReadsOneStraight
from common.statements import compiled_once
from common.storage import get_private_storage
from territories.models import Territory

from ..choices import (
    CandidateStatus,
    ContactMethod,
    DiplomaLevel,
    DiplomaRecognition,
    HousingNeed,
    ImmigrationStatus,
    LanguageLevel,
    ProfileKind,
    QuebecExperience,
    Timeline,
)

AGE_MIN, AGE_MAX = 18, 35
# A file is open from its sending until it is closed (CandidateQuerySet.open_files).
OPEN_STATUSES = tuple(
    status for status in CandidateStatus if status not in (CandidateStatus.DRAFT, CandidateStatus.CLOSED)
)


def years_ago(years: int, today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def cv_upload_to(instance, filename: str) -> str:
    """A random name: the person's file name is kept apart, never used on disk."""
    return f"cv/{uuid.uuid4().hex}"


# The phone read as text (Cast), where a file is read for a list: the field's from_db_value parses
# and validates each number (~40 µs; 2 ms a page of "À trier" and its possible duplicates).
PHONE_AS_STORED = "phone_as_stored"


# What a queue row reads of a file (counselling/rows.py, counselling/selectors.duplicate_keys); the
# phone as stored comes as PHONE_AS_STORED.
QUEUE_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "date_of_birth",
    "profile_kind",
    "status",
    "targets_undecided",
    "counsellor_id",
    "submitted_at",
)


# CandidateQuerySet.possible_duplicates_rows on PostgreSQL: the parts of possible_duplicates_of,
# each with its values as one array parameter (the same indexes serve them).
DUPLICATES_SQL = """
SELECT "id", "first_name", "last_name", "email", "date_of_birth", "phone"::text FROM "candidates_candidate"
WHERE "anonymized_at" IS NULL AND UPPER("email") = ANY(%s::text[])
UNION
SELECT "id", "first_name", "last_name", "email", "date_of_birth", "phone"::text FROM "candidates_candidate"
WHERE "anonymized_at" IS NULL AND "phone" = ANY(%s::text[])
UNION
SELECT "id", "first_name", "last_name", "email", "date_of_birth", "phone"::text FROM "candidates_candidate"
WHERE "anonymized_at" IS NULL AND ("date_of_birth", UPPER("last_name"), UPPER("first_name")) IN (
    SELECT d, UPPER(l), UPPER(f) FROM unnest(%s::date[], %s::text[], %s::text[]) AS t(d, l, f)
)
"""


# The queue's two per-row subqueries, as fixed SQL: written with the ORM (Subquery, OuterRef,
# StringAgg, Concat, Coalesce), building and compiling them cost 2.3 ms of each queue page, more
# than running them (issue 17). In the select list, PostgreSQL runs them for the page's rows only.
# tests/counselling/test_queue.py runs them on both databases.
# - target_ranks: the file's targets as "rank:territory id" pairs joined by commas, in no order
#   (SQLite before 3.44 cannot order an aggregate): counselling.selectors.target_names reads them.
# - waiting_since: CandidateQuerySet.with_waiting_since.
PER_ROW_SQL = {
    "target_ranks": 'SELECT GROUP_CONCAT("rank" || %s || "territory_id", %s) FROM "candidates_candidatetarget" '
    'WHERE "candidate_id" = "candidates_candidate"."id"',
    "target_ranks_postgresql": 'SELECT STRING_AGG("rank" || %s || "territory_id", %s) '
    'FROM "candidates_candidatetarget" WHERE "candidate_id" = "candidates_candidate"."id"',
    "waiting_since": 'COALESCE((SELECT "created_at" FROM "candidates_candidateevent" '
    'WHERE "candidate_id" = "candidates_candidate"."id" AND "kind" IN (%s, %s) AND "to_status" <> %s '
    'ORDER BY "created_at" DESC, "id" DESC LIMIT 1), "candidates_candidate"."submitted_at")',
}


class CandidateQuerySet(ReadsOneStraight):
    """The named reads of files. The models of the file's other rows (targets, consents, events)
    are reached through the relations, as they are defined in the package's other modules. A read
    that finds one file reads its prefetches straight (common.prefetch)."""

    def _related(self, name: str) -> type[models.Model]:
        return self.model._meta.get_field(name).related_model

    def submitted(self):
        """Files the person sent: a draft is theirs alone until then, invisible to counsellors."""
        return self.exclude(status=CandidateStatus.DRAFT)

    def awaiting_triage(self):
        return self.filter(status=CandidateStatus.NEW)

    def open_files(self):
        """Sent and not closed, named by the statuses it keeps (OPEN_STATUSES) rather than as "not
        draft nor closed": PostgreSQL then reads the status indexes for those alone. As NOT IN, the
        queue's capped count walked an index past tens of thousands of closed files before it
        could stop: 3.8 ms at 1,000,000 files against 0.28, and the same 0.25–0.30 at 10,000 and
        100,000 (issue 17, docs/benchmarks.md)."""
        return self.filter(status__in=OPEN_STATUSES)

    def outside_age_range(self, today: datetime.date | None = None):
        """Born so that they are under 18 or over 35 today ("hors 18–35")."""
        return self.filter(
            models.Q(date_of_birth__gt=years_ago(AGE_MIN, today))
            | models.Q(date_of_birth__lte=years_ago(AGE_MAX + 1, today))
        )

    def for_list(self):
        targets = compiled_once(
            self._related("targets").objects.select_related("territory__region"), "candidate.targets"
        )
        return self.select_related("counsellor").prefetch_related(models.Prefetch("targets", queryset=targets))

    def for_queue(self):
        """The queue's rows: only the columns a row shows (counselling/rows.py) and the possible
        duplicates compare, and the counsellor's names rather than their account: a file has some
        40 columns, and building 50 files, their counsellors and their targets' territories and
        regions as objects was two-thirds of the queue's reading. The target territories come as
        ids with the row (`target_ranks`), their names from a kept list
        (counselling.selectors.target_names)."""
        return self.only(*QUEUE_FIELDS).annotate(
            **{PHONE_AS_STORED: Cast("phone", models.CharField())},
            counsellor_first_name=models.F("counsellor__first_name"),
            counsellor_last_name=models.F("counsellor__last_name"),
            target_ranks=self._per_row_sql("target_ranks"),
        )

    def _per_row_sql(self, name: str) -> RawSQL:
        """One of the queue's per-row subqueries (PER_ROW_SQL) for this queryset's database."""
        if name == "target_ranks":
            sql = PER_ROW_SQL["target_ranks_postgresql" if connections[self.db].vendor == "postgresql" else name]
            return RawSQL(sql, (":", ","), output_field=models.TextField())  # noqa: S611 — fixed SQL, values as parameters
        event = self._related("events")
        params = (event.Kind.STATUS_CHANGED.value, event.Kind.ASSIGNED.value, "")
        return RawSQL(PER_ROW_SQL[name], params, output_field=models.DateTimeField())  # noqa: S611 — fixed SQL

    def with_coaching_consent(self):
        """Whose latest answer for "coaching" is a yes: the file's copy of it (Candidate.coaching_consent,
        kept by coaching_consent_sync with every Consent row written)."""
        return self.filter(coaching_consent=True)

    def to_triage(self):
        """The "À trier" tab: submitted (NEW, which needs a verified address), consenting to
        coaching, nobody has taken them on yet."""
        return self.awaiting_triage().filter(counsellor__isnull=True).with_coaching_consent()

    def counselled_by(self, user):
        return self.open_files().filter(counsellor=user)

    def targeting(self, *, territory=None, region=None):
        """With a target territory (or a target in a region); EXISTS, so no duplicate rows."""
        targets = self._related("targets").objects.filter(candidate=models.OuterRef("pk"))
        if territory is not None:
            targets = targets.filter(territory=territory)
        if region is not None:
            # The region's territories read first, as a list: PostgreSQL then probes each file's
            # targets for them, where joining the territories for each file cost twice as much
            # (the queue filtered by a region: 5.2 -> 2.0 ms at 100,000 files, 6.9 -> 3.8 at 1M).
            territory_ids = list(Territory.objects.filter(region=region).values_list("pk", flat=True))
            targets = targets.filter(territory_id__in=territory_ids)
        return self.filter(models.Exists(targets))

    def born_between(self, *, youngest_age: int | None, oldest_age: int | None, today: datetime.date | None = None):
        """Aged youngest_age to oldest_age (inclusive) today, as date ranges on date_of_birth."""
        q = models.Q()
        if youngest_age is not None:
            q &= models.Q(date_of_birth__lte=years_ago(youngest_age, today))
        if oldest_age is not None:
            q &= models.Q(date_of_birth__gt=years_ago(oldest_age + 1, today))
        return self.filter(q)

    def search(self, text: str):
        """Every word in the first name, the last name or the email (case-insensitive), found in
        the three joined by spaces: a word has none, so it is in the joined text exactly when it is
        in one of them. On PostgreSQL one GIN trigram index (migration 0022) serves every word's
        LIKE '%…%' in one scan, which keeps only the files that hold them all: a person's first and
        last names at 1,000,000 files no longer intersect two lists of thousands (issue 17). No word
        (an empty or blank search): the files as they are."""
        person = models.Func(
            "first_name", "last_name", "email", template="(%(expressions)s)", arg_joiner=" || ' ' || ",
            output_field=models.TextField(),
        )  # fmt: skip
        return self.filter(*(IContains(person, word) for word in text.split()[:5]))

    def with_waiting_since(self):
        """`waiting_since`: the last change of status (the submission, for a NEW file), else the
        submission. Taking a file on changes its status with an ASSIGNED event; a later ASSIGNED
        event (a colleague takes over) has no status and does not count. Only evaluated for the
        rows of the page (PostgreSQL computes an expensive select-list subquery after the LIMIT)."""
        return self.annotate(waiting_since=self._per_row_sql("waiting_since"))

    def possible_duplicates_of(self, candidates):
        """In one query (a UNION, so that each part uses its own index), the files (the given ones
        included) that share with one of `candidates` the email (case-insensitive), the phone, or
        the first and last names (case-insensitive) and date of birth. Anonymized files are left
        out. Each part has its index: UPPER(email), phone, date of birth."""
        by_email, by_phone, by_name = models.Q(), models.Q(), models.Q()
        emails = {candidate.email.upper() for candidate in candidates if candidate.email}
        if emails:
            by_email = models.lookups.In(Upper("email"), sorted(emails))
        people = sorted(
            {
                (candidate.date_of_birth, candidate.last_name, candidate.first_name)
                for candidate in candidates
                if candidate.date_of_birth
            }
        )
        if people:
            # One row-value IN rather than an OR of 50 Q objects (whose compilation cost ~5 ms a
            # page); the date of birth's index serves it. The database's UPPER on both sides:
            # case-insensitive as iexact was. The SQL is fixed; the values are parameters.
            rows = ", ".join(["(%s, UPPER(%s), UPPER(%s))"] * len(people))
            by_name = models.Q(
                RawSQL(  # noqa: S611
                    f'("date_of_birth", UPPER("last_name"), UPPER("first_name")) IN ({rows})',
                    [value for person in people for value in person],
                    output_field=models.BooleanField(),
                )
            )
        phones = {phone for candidate in candidates if (phone := stored_phone(candidate))}
        if phones:
            # As stored: Value() keeps PhoneNumberField from parsing and validating each one again.
            by_phone = models.Q(phone__in=[models.Value(phone, models.CharField()) for phone in sorted(phones)])
        parts = [
            self.filter(q, anonymized_at__isnull=True)
            .order_by()
            .only("id", "first_name", "last_name", "email", "date_of_birth")
            .annotate(**{PHONE_AS_STORED: Cast("phone", models.CharField())})
            for q in (by_email, by_phone, by_name)
            if q
        ]
        if not parts:
            return self.none()
        return parts[0].union(*parts[1:]).order_by() if len(parts) > 1 else parts[0]

    def possible_duplicates_rows(self, candidates) -> list[tuple]:
        """possible_duplicates_of's files as (id, first name, last name, email, date of birth,
        phone as stored). On PostgreSQL, the same three-part UNION with each part's values as one
        array: Django compiling ~150 parameters, and PostgreSQL planning 50 row values ORed, were
        3.5 of the 5.5 ms "À trier" spent on its possible duplicates at 100,000 files. Elsewhere
        (SQLite), possible_duplicates_of. tests/counselling/test_queue.py runs on both."""
        columns = ("id", "first_name", "last_name", "email", "date_of_birth", PHONE_AS_STORED)
        if connections[self.db].vendor != "postgresql":
            return list(self.possible_duplicates_of(candidates).values_list(*columns))
        people = sorted(
            {(c.date_of_birth, c.last_name, c.first_name) for c in candidates if c.date_of_birth},
        )
        params = [
            sorted({c.email.upper() for c in candidates if c.email}),
            sorted({phone for c in candidates if (phone := stored_phone(c))}),
            [person[0] for person in people],
            [person[1] for person in people],
            [person[2] for person in people],
        ]
        with connections[self.db].cursor() as cursor:
            cursor.execute(DUPLICATES_SQL, params)
            return cursor.fetchall()


def stored_phone(candidate: "Candidate") -> str:
    """The phone of a file read from the database, as stored (E.164 when valid): PHONE_AS_STORED
    when the query read it so (for_queue, possible_duplicates_of), else the field. Reading it as
    str(candidate.phone), or testing `if candidate.phone`, parses and validates the number again
    (~0.1 ms each, a few ms for a page of possible duplicates)."""
    if PHONE_AS_STORED in candidate.__dict__:
        return candidate.__dict__[PHONE_AS_STORED] or ""
    phone = candidate.phone
    if not isinstance(phone, PhoneNumber):
        return phone or ""
    return phone.raw_input or ""


class Candidate(ChoiceLabels, models.Model):
    """A person's file: who they are and where their settlement project stands."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidate",
    )
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("courriel"))
    phone = PhoneNumberField(_("téléphone"), blank=True, region="CA")
    date_of_birth = models.DateField(_("date de naissance"), null=True, blank=True)
    language = models.CharField(_("langue"), max_length=8, choices=Language.choices, default=Language.FR)
    profile_kind = models.CharField(_("profil"), max_length=20, choices=ProfileKind.choices, blank=True)

    # Immigrants only
    country_of_origin = CountryField(_("pays d'origine"), blank=True)
    arrival_date = models.DateField(_("date d'arrivée au Québec"), null=True, blank=True)
    immigration_status = models.CharField(
        _("statut d'immigration"), max_length=30, choices=ImmigrationStatus.choices, blank=True
    )
    diploma_recognition = models.CharField(
        _("reconnaissance des diplômes"), max_length=20, choices=DiplomaRecognition.choices, blank=True
    )
    quebec_experience = models.CharField(
        _("expérience de travail au Québec"), max_length=20, choices=QuebecExperience.choices, blank=True
    )
    french_level = models.CharField(_("niveau de français"), max_length=20, choices=LanguageLevel.choices, blank=True)
    english_level = models.CharField(_("niveau d'anglais"), max_length=20, choices=LanguageLevel.choices, blank=True)

    # Work
    occupation_field = models.CharField(_("domaine professionnel"), max_length=200, blank=True)
    highest_diploma = models.CharField(
        _("diplôme le plus élevé"), max_length=20, choices=DiplomaLevel.choices, blank=True
    )
    years_experience = models.PositiveSmallIntegerField(
        _("années d'expérience"), null=True, blank=True, validators=[MaxValueValidator(60)]
    )
    cv = models.FileField(_("CV"), upload_to=cv_upload_to, storage=get_private_storage, blank=True, max_length=200)
    cv_filename = models.CharField(_("nom du fichier CV"), max_length=255, blank=True)
    goals = models.TextField(_("objectifs professionnels"), max_length=3000, blank=True)
    contact_method = models.CharField(
        _("moyen de contact préféré"), max_length=10, choices=ContactMethod.choices, blank=True
    )
    contact_times = models.CharField(_("moments où vous joindre"), max_length=200, blank=True)

    # Settlement project (target territories: CandidateTarget)
    targets_undecided = models.BooleanField(_("territoire pas encore choisi"), default=False)
    timeline = models.CharField(_("échéancier"), max_length=20, choices=Timeline.choices, blank=True)
    has_partner = models.BooleanField(_("en couple"), null=True, blank=True)
    children_count = models.PositiveSmallIntegerField(
        _("nombre d'enfants"), null=True, blank=True, validators=[MaxValueValidator(20)]
    )
    housing_need = models.CharField(_("logement"), max_length=20, choices=HousingNeed.choices, blank=True)
    interests = models.TextField(_("intérêts et loisirs"), max_length=2000, blank=True)

    registration_step = models.PositiveSmallIntegerField(_("étape d'inscription atteinte"), default=1)
    submitted_at = models.DateTimeField(_("inscription soumise le"), null=True, blank=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=CandidateStatus.choices, default=CandidateStatus.DRAFT
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="counselled_candidates",
        verbose_name=_("conseiller·ère"),
    )
    created_at = models.DateTimeField(_("inscrit·e le"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the file was closed, or its person settled: where the retention periods start.
    closed_at = models.DateTimeField(_("fermé le"), null=True, blank=True)
    anonymized_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True)
    # The latest answer for "coaching", a copy of the Consent rows for the queue's "À trier" (its
    # count checked each file's latest row, 6 ms at 100,000 files). Written only by the consent
    # rows' writes (candidates.models.consents.coaching_consent_sync), never by the file's save().
    coaching_consent = models.BooleanField(_("consent à l'accompagnement"), default=False, editable=False)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("candidat·e")
        verbose_name_plural = _("candidat·e·s")
        indexes = [
            models.Index(fields=["status", "created_at"], name="candidate_status_created"),
            # The queue: each tab filters on status (and counsellor) and sorts by submission or name.
            models.Index(fields=["status", "submitted_at"], name="candidate_status_submitted"),
            models.Index(fields=["submitted_at", "id"], name="candidate_submitted"),
            models.Index(fields=["counsellor", "status"], name="candidate_counsellor_status"),
            models.Index(fields=["last_name", "first_name", "id"], name="candidate_name"),
            models.Index(fields=["profile_kind", "status"], name="candidate_profile_status"),
            # The age filters (ranges of dates of birth) and the possible duplicates' "same names and
            # date of birth" (counselling.selectors.with_possible_duplicates: one probe per person,
            # where an index on the date alone read ~125 files per date at 1,000,000, 14 ms a page).
            models.Index("date_of_birth", Upper("last_name"), Upper("first_name"), name="candidate_dob_names"),
            models.Index(fields=["arrival_date"], name="candidate_arrival_date"),
            # "À trier" (CandidateQuerySet.to_triage) in submission order: its count up to 1,000 and
            # its pages read this index alone.
            models.Index(
                fields=["submitted_at", "id"],
                condition=models.Q(status="new", counsellor__isnull=True, coaching_consent=True),
                name="candidate_to_triage",
            ),
            # Possible duplicates at triage (CandidateQuerySet.possible_duplicates_of).
            models.Index(Upper("email"), name="candidate_email_upper"),
            models.Index(fields=["phone"], name="candidate_phone"),
        ]

    def __str__(self) -> str:
        return self.full_name

    # Written by coaching_consent_sync alone: a save() of the whole file (the admin, the
    # anonymization) would otherwise put back the value it read, over a consent given or withdrawn
    # meanwhile.
    SYNCED_FIELDS = ("coaching_consent",)

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is None and not self._state.adding and not kwargs.get("force_insert"):
            deferred = self.get_deferred_fields()  # as Model.save does: only what was read
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.SYNCED_FIELDS and field.attname not in deferred
            ]
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def age(self) -> int | None:
        if self.date_of_birth is None:
            return None
        today = timezone.localdate()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @property
    def is_outside_age_range(self) -> bool:
        return self.age is not None and not (AGE_MIN <= self.age <= AGE_MAX)

    @property
    def is_immigrant(self) -> bool:
        return self.profile_kind == ProfileKind.IMMIGRANT

    @property
    def first_target(self):
        """The first-choice territory, from the prefetched targets when there are some."""
        targets = sorted(self.targets.all(), key=lambda t: t.rank)
        return targets[0].territory if targets else None

    def has_consent(self, purpose: str) -> bool:
        latest = self.consents.filter(purpose=purpose).order_by("-created_at", "-id").first()
        return bool(latest and latest.granted)


class CandidateTarget(models.Model):
    """One of the (at most three) territories a candidate targets, in order of preference."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="targets")
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(validators=[MaxValueValidator(3)])

    class Meta:
        ordering = ["rank"]
        verbose_name = _("territoire visé")
        verbose_name_plural = _("territoires visés")
        constraints = [
            models.UniqueConstraint(fields=["candidate", "rank"], name="candidate_target_rank_unique"),
            models.UniqueConstraint(fields=["candidate", "territory"], name="candidate_target_territory_unique"),
            models.CheckConstraint(condition=models.Q(rank__gte=1, rank__lte=3), name="candidate_target_rank_1_3"),
        ]
        indexes = [models.Index(fields=["territory", "candidate"], name="candidate_target_territory")]

    def __str__(self) -> str:
        return f"{self.rank}. {self.territory}"
