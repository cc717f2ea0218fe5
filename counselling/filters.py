import copy
from functools import partial

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from candidates.choices import CandidateStatus, DiplomaRecognition, LanguageLevel, ProfileKind
from candidates.models import Candidate
from territories.models import Region, Territory

from .filter_options import filter_options, options_html

# (value, label, youngest age, oldest age): ages in whole years, turned into date_of_birth ranges.
AGE_BANDS = (
    ("18-24", _("18 à 24 ans"), 18, 24),
    ("25-29", _("25 à 29 ans"), 25, 29),
    ("30-35", _("30 à 35 ans"), 30, 35),
)
OUTSIDE_AGE_RANGE = "hors"
# A select's empty choice says what it does: it leaves the list unfiltered. "Toutes" for the
# feminine nouns (région, reconnaissance), "Tous" otherwise; "All" in English either way.
ALL = pgettext_lazy("filtre, masculin", "Tous")
ALL_FEMININE = pgettext_lazy("filtre, féminin", "Toutes")


class QueueFilter(django_filters.FilterSet):
    """The queue's filters, all in the URL. An invalid value (unknown choice, impossible date) is
    reported on its field and left out of the filtering, never a server error."""

    q = django_filters.CharFilter(label=_("Recherche"), method="filter_search", max_length=100)
    statut = django_filters.ChoiceFilter(
        label=_("Statut"),
        empty_label=ALL,
        field_name="status",
        choices=[(value, label) for value, label in CandidateStatus.choices if value != CandidateStatus.DRAFT],
    )
    profil = django_filters.ChoiceFilter(
        label=_("Profil"), empty_label=ALL, field_name="profile_kind", choices=ProfileKind.choices
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Région visée"), empty_label=ALL_FEMININE, queryset=Region.objects.all(), method="filter_region"
    )
    territoire = django_filters.ModelChoiceFilter(
        label=_("Territoire visé"),
        empty_label=ALL,
        queryset=Territory.objects.select_related("region").order_by("name"),
        method="filter_territory",
    )
    conseiller = django_filters.ModelChoiceFilter(
        label=_("Conseiller·ère"),
        empty_label=ALL,
        field_name="counsellor",
        queryset=User.objects.counsellors().order_by("last_name", "first_name", "email"),
    )
    arrivee_du = django_filters.DateFilter(
        label=_("Arrivé·e au Québec à partir du"),
        field_name="arrival_date",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    arrivee_au = django_filters.DateFilter(
        label=_("Arrivé·e au Québec jusqu'au"),
        field_name="arrival_date",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    diplome = django_filters.ChoiceFilter(
        label=_("Reconnaissance des diplômes"),
        empty_label=ALL_FEMININE,
        field_name="diploma_recognition",
        choices=DiplomaRecognition.choices,
    )
    francais = django_filters.ChoiceFilter(
        label=_("Niveau de français"), empty_label=ALL, field_name="french_level", choices=LanguageLevel.choices
    )
    age = django_filters.ChoiceFilter(
        label=_("Âge"),
        empty_label=ALL,
        choices=[(value, label) for value, label, *_ages in AGE_BANDS] + [(OUTSIDE_AGE_RANGE, _("hors 18–35"))],
        method="filter_age",
    )
    hors_age = django_filters.BooleanFilter(
        label=_("Seulement hors 18–35"),
        method="filter_outside_age_range",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Candidate
        fields: list[str] = []

    _form_class = None

    def get_form_class(self):
        """The form class, built from the filters' fields once per process: django-filters builds
        a class and twelve fields for every filterset (0.3 ms a queue page). The form's __init__
        copies the class's fields, so each form still has its own, choices and errors included."""
        cls = type(self)
        if cls.__dict__.get("_form_class") is None:
            cls._form_class = super().get_form_class()
        return cls._form_class

    @property
    def form(self):
        """The form, with the lists of regions, territories and counsellors each read in one
        SELECT when rendered: a ModelChoiceField's choices run a COUNT(*) before the SELECT when a
        template loops over them, and the COUNT on users scans 100,000 accounts."""
        if not hasattr(self, "_form"):
            form = super().form
            for name in ("region", "territoire"):
                field = form.fields[name]
                field._choices = _ReadOnce(partial(_read_choices, field))
            form.fields["conseiller"]._choices = _ReadOnce(self._counsellor_field_choices)
        return self._form

    def attach_select_options(self) -> None:
        """Give each select of the form `options_html`, its <option> elements with the URL's value
        selected, from the choices the cache keeps per language (counselling.filter_options): the
        template would otherwise spend milliseconds on ~130 options, and three queries read them."""
        for name, (_choices, html) in self._options().items():
            bound = self.form[name]  # the form caches its bound fields: the template gets this one
            bound.options_html = options_html(html, str(bound.value() or ""))

    def active_count(self) -> int:
        """How many filters the URL sets (an unticked box sets none), for the folded form's summary."""
        if not self.is_bound:
            return 0
        return sum(1 for name in self.form.fields if self.form[name].data not in (None, "", False))

    def counsellor_choices(self) -> list[tuple[str, str]]:
        """The active counsellors and coordinators as (id, name), for the queue's bulk assignment:
        the filter's own choices, from the cache."""
        return [(value, label) for value, label in self._options()["conseiller"][0] if value]

    def _options(self) -> dict:
        """counselling.filter_options, read from the cache once per request."""
        if not hasattr(self, "_kept_options"):
            self._kept_options = filter_options(self.form)
        return self._kept_options

    def _counsellor_field_choices(self) -> list[tuple]:
        field = self.form.fields["conseiller"]
        return [("", field.empty_label)] + [(user.pk, field.label_from_instance(user)) for user in field.queryset]

    # A list narrowed by these is not counted (QueuePage.get(count=False)): counting it costs more
    # than the rest of the page at 100,000 files. A trigram search is planned as a sequential scan
    # when counted; a target region or territory checks the targets of each file up to the count's
    # cap (10–15 ms for "Saguenay–Lac-Saint-Jean, waiting for triage"). Its first page is found in
    # ~2 ms in submission order, and a list that fits on one page still shows its exact total.
    UNCOUNTED_FILTERS = ("q", "region", "territoire")

    def is_counted(self) -> bool:
        """Whether the list is worth counting: none of UNCOUNTED_FILTERS applies (call after .qs)."""
        if not self.is_bound:
            return True
        cleaned = getattr(self.form, "cleaned_data", {})
        return not any(cleaned.get(name) for name in self.UNCOUNTED_FILTERS)

    def is_narrowed(self) -> bool:
        """Whether any filter narrows the list (call after .qs): its statements are then planned
        for their values (QueuePage.get(planned=True), common.planning)."""
        cleaned = getattr(self.form, "cleaned_data", {}) if self.is_bound else {}
        return any(value not in (None, "", False) for value in cleaned.values())

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_region(self, queryset, name, value):
        return queryset.targeting(region=value) if value else queryset

    def filter_territory(self, queryset, name, value):
        return queryset.targeting(territory=value) if value else queryset

    def filter_age(self, queryset, name, value):
        if value == OUTSIDE_AGE_RANGE:
            return queryset.outside_age_range()
        for band, _label, youngest, oldest in AGE_BANDS:
            if value == band:
                return queryset.born_between(youngest_age=youngest, oldest_age=oldest)
        return queryset

    def filter_outside_age_range(self, queryset, name, value):
        return queryset.outside_age_range() if value else queryset


class _FiltersCopiedLightly(dict):
    """QueueFilter's `base_filters`, which FilterSet.__init__ deep-copies for every filterset so
    that each filter can point to its own parent: with the querysets, choices and widgets they hold
    (QueueFilter() took 264 µs of CPU; 57–70 µs with this). A shallow copy of each filter points
    to its parent just as well. What the copies share, they only read: the form class, the one
    place that turns a filter's `extra` into a field, is built once per process (get_form_class)."""

    def __deepcopy__(self, memo) -> dict:
        copies = {}
        for name, original in self.items():
            filter_ = copy.copy(original)
            # Setting `method` gives the copy its own FilterMethod, which calls the copy's parent;
            # the shallow copy would otherwise keep the original's, and its parent.
            filter_.method = original.method
            copies[name] = filter_
        return copies


QueueFilter.base_filters = _FiltersCopiedLightly(QueueFilter.base_filters)


class _ReadOnce:
    """Choices read on first use, then kept; len() reads them too instead of counting."""

    def __init__(self, read):
        self._read = read
        self._choices = None

    def _get(self) -> list:
        if self._choices is None:
            self._choices = self._read()
        return self._choices

    def __iter__(self):
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


def _read_choices(field) -> list[tuple]:
    """A ModelChoiceField's choices in one SELECT (iterating, never len(), which would COUNT)."""
    return list(iter(field.iterator(field)))
