from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate, ProfileKind
from common.labels import ChoiceLabels
from territories.models import Agent, Territory, in_current_language


class ActivityKind(models.TextChoices):
    EXPLORATORY_STAY = "exploratory_stay", _("Séjour exploratoire")
    WELCOME = "welcome", _("Activité d'accueil")
    INFO_SESSION = "info_session", _("Séance d'information en ligne")
    VISIT = "visit", _("Visite")
    OTHER = "other", _("Autre activité")


class ActivityLanguage(models.TextChoices):
    FR = "fr", _("En français")
    EN = "en", _("En anglais")
    BILINGUAL = "fr_en", _("En français et en anglais")


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", _("Publiée")
    CANCELLED = "cancelled", _("Annulée")


class ActivityQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ActivityStatus.PUBLISHED)

    def upcoming(self, *, now=None):
        """Published, not over yet, soonest first."""
        return self.published().filter(ends_at__gte=now or timezone.now()).order_by("starts_at", "pk")

    def for_calendar(self):
        return self.select_related("territory__region")

    def with_seats_taken(self):
        """`seats_taken`: how many registrants hold a seat (one aggregate, no query per row)."""
        return self.annotate(
            seats_taken=models.Count(
                "registrations", filter=models.Q(registrations__status=RegistrationStatus.REGISTERED)
            )
        )

    def of_agent(self, agent: Agent):
        """The activities of the agent's territories (EXISTS: no duplicate rows)."""
        return self.filter(
            models.Exists(Agent.territories.through.objects.filter(agent=agent, territory=models.OuterRef("territory")))
        )


class Activity(ChoiceLabels, models.Model):
    """An activity of attraction, welcome or retention in one territory. Times are stored in UTC
    and shown in Québec's time (settings.TIME_ZONE, America/Toronto)."""

    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="activities", verbose_name=_("territoire")
    )
    kind = models.CharField(_("type"), max_length=20, choices=ActivityKind.choices)
    title_fr = models.CharField(_("titre (français)"), max_length=200)
    title_en = models.CharField(_("titre (anglais)"), max_length=200, blank=True)
    description_fr = models.TextField(_("description (français)"), max_length=5000)
    description_en = models.TextField(_("description (anglais)"), max_length=5000, blank=True)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=300, blank=True)
    online_url = models.URLField(_("lien de la rencontre en ligne"), blank=True)
    language = models.CharField(
        _("langue"), max_length=5, choices=ActivityLanguage.choices, default=ActivityLanguage.FR
    )
    capacity = models.PositiveSmallIntegerField(_("nombre de places"))
    registration_deadline = models.DateTimeField(_("date limite d'inscription"))
    cancellation_deadline = models.DateTimeField(_("annulation par la personne possible jusqu'au"))
    cost_fr = models.CharField(_("coût ou financement (français)"), max_length=300, blank=True)
    cost_en = models.CharField(_("coût ou financement (anglais)"), max_length=300, blank=True)
    age_min = models.PositiveSmallIntegerField(_("âge minimum"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("âge maximum"), null=True, blank=True)
    # ProfileKind codes; empty: every profile.
    profile_kinds = models.JSONField(_("profils admis"), default=list, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PUBLISHED
    )
    published_by_agent = models.ForeignKey(
        Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("publiée par")
    )
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("activité")
        verbose_name_plural = _("activités")
        indexes = [
            models.Index(fields=["status", "ends_at", "starts_at"], name="activity_calendar"),
            models.Index(fields=["territory", "status", "ends_at"], name="activity_territory"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after"),
            models.CheckConstraint(
                condition=models.Q(registration_deadline__lte=models.F("starts_at")), name="activity_deadline_first"
            ),
        ]

    def __str__(self) -> str:
        return self.title_fr

    @property
    def title(self) -> str:
        return in_current_language(self, "title")

    @property
    def description(self) -> str:
        return in_current_language(self, "description")

    @property
    def cost(self) -> str:
        return in_current_language(self, "cost")

    @property
    def is_cancelled(self) -> bool:
        return self.status == ActivityStatus.CANCELLED

    @property
    def seats_left(self) -> int | None:
        """Free seats, from the `seats_taken` annotation (ActivityQuerySet.with_seats_taken)."""
        taken = getattr(self, "seats_taken", None)
        return None if taken is None else max(self.capacity - taken, 0)

    def profile_kinds_display(self) -> list[str]:
        labels = dict(ProfileKind.choices)
        return [str(labels[code]) for code in self.profile_kinds if code in labels]

    def registration_open(self, *, now=None) -> bool:
        return self.status == ActivityStatus.PUBLISHED and (now or timezone.now()) <= self.registration_deadline


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Inscrit·e")
    WAITING = "waiting", _("En liste d'attente")
    CANCELLED = "cancelled", _("Annulée")


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=RegistrationStatus.CANCELLED)

    def waiting_in_order(self):
        return self.filter(status=RegistrationStatus.WAITING).order_by("waiting_since", "pk")


class Registration(ChoiceLabels, models.Model):
    """One person's registration to an activity: a seat, or a place on the waiting list. One row
    per person and activity; registering again after cancelling reuses it."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="registrations")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="activity_registrations")
    status = models.CharField(_("état"), max_length=12, choices=RegistrationStatus.choices)
    # Set when the person joins the waiting list: its order.
    waiting_since = models.DateTimeField(_("en attente depuis"), null=True, blank=True)
    attended = models.BooleanField(_("présent·e"), null=True, blank=True)
    attendance_recorded_at = models.DateTimeField(_("présence notée le"), null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("présence notée par")
    )
    reminded_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("inscrit·e le"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("inscription à une activité")
        verbose_name_plural = _("inscriptions aux activités")
        constraints = [
            models.UniqueConstraint(fields=["activity", "candidate"], name="registration_once_per_person"),
        ]
        indexes = [models.Index(fields=["activity", "status", "waiting_since"], name="registration_activity_status")]

    def __str__(self) -> str:
        return f"{self.activity_id} / {self.candidate_id}"


class RegistrationEvent(models.Model):
    """The log of a registration's changes: a code, never a sentence (who: the person, an agent,
    a coordinator, or the platform moving the waiting list up)."""

    class Code(models.TextChoices):
        REGISTERED = "registered", _("Inscription")
        WAITLISTED = "waitlisted", _("Inscription en liste d'attente")
        PROMOTED = "promoted", _("Passage de la liste d'attente à une place")
        CANCELLED_BY_PERSON = "cancelled_by_person", _("Annulation par la personne")
        ACTIVITY_CANCELLED = "activity_cancelled", _("Activité annulée")
        ATTENDED = "attended", _("Présence notée")
        ABSENT = "absent", _("Absence notée")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="events")
    code = models.CharField(_("code"), max_length=24, choices=Code.choices)
    from_status = models.CharField(_("de"), max_length=12, blank=True)
    to_status = models.CharField(_("à"), max_length=12, blank=True)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    created_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("événement d'inscription")
        verbose_name_plural = _("événements d'inscription")

    def __str__(self) -> str:
        return self.code
