import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from territories.models import Region, Territory

from .models import Candidate, CandidateStatus, DiplomaRecognition, LanguageLevel, ProfileKind

# (value, label, youngest age, oldest age): ages in whole years, turned into date_of_birth ranges.
AGE_BANDS = (
    ("18-24", _("18 à 24 ans"), 18, 24),
    ("25-29", _("25 à 29 ans"), 25, 29),
    ("30-35", _("30 à 35 ans"), 30, 35),
)
OUTSIDE_AGE_RANGE = "hors"


class QueueFilter(django_filters.FilterSet):
    """The queue's filters, all in the URL. An invalid value (unknown choice, impossible date) is
    reported on its field and left out of the filtering, never a server error."""

    q = django_filters.CharFilter(label=_("Recherche"), method="filter_search", max_length=100)
    statut = django_filters.ChoiceFilter(
        label=_("Statut"),
        field_name="status",
        choices=[(value, label) for value, label in CandidateStatus.choices if value != CandidateStatus.DRAFT],
    )
    profil = django_filters.ChoiceFilter(label=_("Profil"), field_name="profile_kind", choices=ProfileKind.choices)
    region = django_filters.ModelChoiceFilter(
        label=_("Région visée"), queryset=Region.objects.all(), method="filter_region"
    )
    territoire = django_filters.ModelChoiceFilter(
        label=_("Territoire visé"),
        queryset=Territory.objects.select_related("region").order_by("name"),
        method="filter_territory",
    )
    conseiller = django_filters.ModelChoiceFilter(
        label=_("Conseiller·ère"),
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
        label=_("Reconnaissance des diplômes"), field_name="diploma_recognition", choices=DiplomaRecognition.choices
    )
    francais = django_filters.ChoiceFilter(
        label=_("Niveau de français"), field_name="french_level", choices=LanguageLevel.choices
    )
    age = django_filters.ChoiceFilter(
        label=_("Âge"),
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

    def filter_search(self, queryset, name, value):
        return queryset.search(value) if value.strip() else queryset

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
