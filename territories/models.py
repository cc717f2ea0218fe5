import unicodedata

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Language


class Region(models.Model):
    """One of Québec's 17 administrative regions."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name_fr = models.CharField(_("nom (français)"), max_length=100)
    name_en = models.CharField(_("nom (anglais)"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("région administrative")
        verbose_name_plural = _("régions administratives")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def name(self) -> str:
        return getattr(self, self.name_field())

    @staticmethod
    def name_field() -> str:
        """The column of the name in the active language, for reads that take values, not regions."""
        return "name_en" if (get_language() or "").startswith("en") else "name_fr"

    @cached_property
    def page_url(self) -> str:
        """Its public page: reversed once per instance (the directory's kept regions, ~80 links a
        page, spent 5 ms reversing them)."""
        return reverse("territories:region", args=[self.code])


class AdminUnit(models.Model):
    """An MRC or an equivalent territory (TE), as the MAMH lists them."""

    class Kind(models.TextChoices):
        MRC = "MRC", _("MRC")
        TE = "TE", _("Territoire équivalent")

    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    kind = models.CharField(_("type"), max_length=3, choices=Kind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="units", verbose_name=_("région"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("MRC ou territoire équivalent")
        verbose_name_plural = _("MRC et territoires équivalents")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()} {self.code})"


def search_key(text: str) -> str:
    """Text as the directory's search compares it: no accents, no case, and hyphens, apostrophes
    and dashes read as spaces ("Sainte-Anne-des-Monts", "sainte anne des monts" and
    "SAINTE-ANNE-DES-MONTS" are the same key)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    for mark in "-‐‑–—'’.":
        letters = letters.replace(mark, " ")
    return " ".join(letters.split())


class Municipality(models.Model):
    """A municipality (ville, municipalité, paroisse, canton…) in its MRC or TE, as the MAMH lists
    them: people know the town they want to live in, rarely its MRC."""

    code = models.CharField(_("code"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    search_name = models.CharField(max_length=100, db_index=True, editable=False)
    unit = models.ForeignKey(
        AdminUnit, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("MRC ou TE")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipalité")
        verbose_name_plural = _("municipalités")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = search_key(self.name)
        if (fields := kwargs.get("update_fields")) is not None and "name" in fields:
            kwargs["update_fields"] = {*fields, "search_name"}
        super().save(*args, **kwargs)


def in_current_language(obj, field: str) -> str:
    """`<field>_en` when the page is in English and that text is filled in, else `<field>_fr`."""
    if (get_language() or "").startswith("en"):
        english = getattr(obj, f"{field}_en")
        if english.strip():
            return english
    return getattr(obj, f"{field}_fr")


class TerritoryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_active_agent(self):
        """The territories an active agent covers: the ones a referral or a proposal can go to."""
        return self.filter(self.active_agent_exists())

    @staticmethod
    def active_agent_exists() -> models.Exists:
        return models.Exists(Agent.objects.active().filter(territories=models.OuterRef("pk")))


class Territory(models.Model):
    """A PAJ territory: the area one team of PAJ agents covers, usually one MRC."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("nom"), max_length=120)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="territories", verbose_name=_("région"))
    units = models.ManyToManyField(
        AdminUnit, related_name="territories", blank=True, verbose_name=_("MRC et TE couverts")
    )
    is_active = models.BooleanField(_("actif"), default=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    # What the territory offers, written by coordinators for the public directory.
    employment_fr = models.TextField(_("principaux secteurs d'emploi (français)"), blank=True)
    employment_en = models.TextField(_("principaux secteurs d'emploi (anglais)"), blank=True)
    housing_fr = models.TextField(_("logement (français)"), blank=True)
    housing_en = models.TextField(_("logement (anglais)"), blank=True)
    daycare_fr = models.TextField(_("services de garde (français)"), blank=True)
    daycare_en = models.TextField(_("services de garde (anglais)"), blank=True)
    culture_fr = models.TextField(_("culture (français)"), blank=True)
    culture_en = models.TextField(_("culture (anglais)"), blank=True)
    outdoors_fr = models.TextField(_("plein air (français)"), blank=True)
    outdoors_en = models.TextField(_("plein air (anglais)"), blank=True)
    transport_fr = models.TextField(_("transport (français)"), blank=True)
    transport_en = models.TextField(_("transport (anglais)"), blank=True)
    english_services_fr = models.TextField(_("services en anglais (français)"), blank=True)
    english_services_en = models.TextField(_("services en anglais (anglais)"), blank=True)

    TEXT_FIELDS = ("employment", "housing", "daycare", "transport", "outdoors", "culture", "english_services")

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("territoire PAJ")
        verbose_name_plural = _("territoires PAJ")

    def __str__(self) -> str:
        return self.name

    @cached_property
    def page_url(self) -> str:
        """Its public page, reversed once per instance (Region.page_url)."""
        return reverse("territories:detail", args=[self.code])

    def teaser(self) -> str:
        """The first lines of what hires, for the directory's cards."""
        return in_current_language(self, "employment")

    def offer(self) -> list[tuple[str, str]]:
        """The directory's sections in the current language (French when the English text is
        empty), leaving out the empty ones."""
        labels = {
            "employment": _("Secteurs qui embauchent"),
            "housing": _("Marché du logement"),
            "daycare": _("Services de garde"),
            "transport": _("Transport"),
            "outdoors": _("Plein air"),
            "culture": _("Culture"),
            "english_services": _("Services en anglais"),
        }
        sections = [(labels[field], in_current_language(self, field)) for field in self.TEXT_FIELDS]
        return [(label, text) for label, text in sections if text.strip()]


class HelpKind(models.TextChoices):
    GRANT = "grant", _("Subvention ou prime")
    LOAN = "loan", _("Prêt")
    TAX_CREDIT = "tax_credit", _("Crédit d'impôt")
    SERVICE = "service", _("Service ou accompagnement")
    OTHER = "other", _("Autre aide")


class SettlementProgramQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_territory(self, territory: "Territory"):
        """Active programs that name the territory or its region (EXISTS: no duplicate rows)."""
        return self.active().filter(
            models.Exists(
                SettlementProgram.regions.through.objects.filter(
                    settlementprogram=models.OuterRef("pk"), region=territory.region_id
                )
            )
            | models.Exists(
                SettlementProgram.territories.through.objects.filter(
                    settlementprogram=models.OuterRef("pk"), territory=territory.pk
                )
            )
        )


class SettlementProgram(models.Model):
    """A financial aid program for settling in a region (regional or local): who runs it, who is
    eligible, how much. Applies to the regions and territories it names."""

    name_fr = models.CharField(_("nom (français)"), max_length=200)
    name_en = models.CharField(_("nom (anglais)"), max_length=200, blank=True)
    operator = models.CharField(_("organisme responsable"), max_length=200)
    eligibility_fr = models.TextField(_("admissibilité (français)"), blank=True)
    eligibility_en = models.TextField(_("admissibilité (anglais)"), blank=True)
    amount = models.CharField(_("montant"), max_length=200, blank=True)
    help_kind = models.CharField(_("forme de l'aide"), max_length=20, choices=HelpKind.choices, blank=True)
    url = models.URLField(_("lien officiel"), blank=True)
    # Who may be eligible, for "programs you may be eligible for" (candidates.programs); each
    # empty field: no condition. The profile and status codes are the candidates app's
    # (ProfileKind, ImmigrationStatus): its admin offers them (candidates.program_admin).
    age_min = models.PositiveSmallIntegerField(_("âge minimum"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("âge maximum"), null=True, blank=True)
    profile_kinds = models.JSONField(_("profils admissibles"), default=list, blank=True)
    immigration_statuses = models.JSONField(_("statuts d'immigration admissibles"), default=list, blank=True)
    occupation_keywords = models.CharField(
        _("domaines professionnels visés"),
        max_length=300,
        blank=True,
        help_text=_("Mots séparés par des virgules (ex. : santé, soins infirmiers) ; vide : tous les domaines."),
    )
    deadline = models.DateField(_("date limite pour en faire la demande"), null=True, blank=True)
    regions = models.ManyToManyField(Region, related_name="settlement_programs", blank=True, verbose_name=_("régions"))
    territories = models.ManyToManyField(
        Territory, related_name="settlement_programs", blank=True, verbose_name=_("territoires")
    )
    is_active = models.BooleanField(_("actif"), default=True)

    objects = SettlementProgramQuerySet.as_manager()

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("programme d'aide à l'installation")
        verbose_name_plural = _("programmes d'aide à l'installation")

    def __str__(self) -> str:
        return self.name_fr

    @property
    def name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en.strip():
            return self.name_en
        return self.name_fr

    @property
    def eligibility(self) -> str:
        return in_current_language(self, "eligibility")

    def keywords(self) -> list[str]:
        """The occupation keywords as the directory's search compares them (search_key)."""
        return [key for word in self.occupation_keywords.split(",") if (key := search_key(word))]


class AgentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Agent(models.Model):
    """A PAJ agent. An agent answers referrals from a link in an email and needs no account."""

    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("courriel"), unique=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    language = models.CharField(_("langue"), max_length=8, choices=Language.choices, default=Language.FR)
    territories = models.ManyToManyField(Territory, related_name="agents", blank=True, verbose_name=_("territoires"))
    is_active = models.BooleanField(_("actif·ve"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agent",
        verbose_name=_("compte"),
    )

    objects = AgentQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("agent·e PAJ")
        verbose_name_plural = _("agent·e·s PAJ")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    @cached_property
    def territory_ids(self) -> list[int]:
        """Its territories' ids, read once per object (a request's agent is asked for them by each
        of its page's reads: referrals.models.ReferralQuerySet.for_agent). An object kept across a
        change of its territories keeps the old ones: read the agent again."""
        return sorted(self.territories.values_list("pk", flat=True))
