from collections.abc import Collection
from dataclasses import dataclass
from itertools import groupby

from django import forms
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from .models import Region, Territory
from .selectors import TerritoryOption, territory_options


@dataclass(frozen=True)
class _Restriction:
    """Which active territories a select offers, in terms both its queryset (what a posted value
    is checked against) and the kept options (what the select shows) understand."""

    only: frozenset[int] | None = None
    excluded: frozenset[int] = frozenset()
    with_agent: bool = False

    def admits(self, option: TerritoryOption) -> bool:
        return (
            (self.only is None or option.pk in self.only)
            and option.pk not in self.excluded
            and (option.has_active_agent or not self.with_agent)
        )


def _both(before: frozenset[int] | None, only: frozenset[int]) -> frozenset[int]:
    return only if before is None else before & only


def _grouped(rows) -> list:
    """(pk, name, region code, region name) rows, in order, as a select's groups."""
    return [
        (f"{code} – {region}", [(pk, name) for pk, name, *_ in items])
        for (code, region), items in groupby(rows, key=lambda row: (row[2], row[3]))
    ]


class TerritoryChoiceField(forms.ModelChoiceField):
    """A select of the active territories, grouped by region; its 62 options are written in
    Python by the forms' renderer (common.form_renderer), from the options this process keeps
    (territories.selectors.territory_options). Narrow it with `restrict`: a queryset set by hand
    is read instead (one query)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("empty_label", _("Choisissez un territoire"))
        super().__init__(queryset=Territory.objects.active().select_related("region"), **kwargs)
        self._restriction: _Restriction | None = _Restriction()

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)  # sets the copy's queryset, which forgets its restriction
        result._restriction, result._narrowed = self._restriction, None
        return result

    def _get_queryset(self):
        """The active territories as narrowed by `restrict`, built when first asked for: a page
        that only shows the select never builds it."""
        restriction = getattr(self, "_restriction", None)
        if restriction is None or restriction == _Restriction():
            return self._queryset
        narrowed = getattr(self, "_narrowed", None)
        if narrowed is None or narrowed[0] != restriction:
            queryset = self._queryset
            if restriction.only is not None:
                queryset = queryset.filter(pk__in=sorted(restriction.only))
            if restriction.excluded:
                queryset = queryset.exclude(pk__in=sorted(restriction.excluded))
            if restriction.with_agent:
                queryset = queryset.with_active_agent()
            self._narrowed = narrowed = (restriction, queryset)
        return narrowed[1]

    def _set_queryset(self, queryset):
        self._restriction = None
        super()._set_queryset(queryset)

    queryset = property(_get_queryset, _set_queryset)

    def restrict(self, *, only: Collection[int] | None = None, exclude: Collection[int] = (), with_agent=False):
        """Offer only the territories `only` names, none of `exclude`, and with `with_agent` only
        those an active agent covers; the queryset checks a posted value the same way."""
        restriction = self._restriction
        if restriction is None:  # a queryset set by hand: narrowed as it is
            queryset = self.queryset if only is None else self.queryset.filter(pk__in=list(only))
            queryset = queryset.exclude(pk__in=list(exclude)) if exclude else queryset
            self.queryset = queryset.with_active_agent() if with_agent else queryset
            return
        self._restriction = _Restriction(
            only=restriction.only if only is None else _both(restriction.only, frozenset(only)),
            excluded=restriction.excluded | frozenset(exclude),
            with_agent=restriction.with_agent or with_agent,
        )

    def _groups(self) -> list:
        """[(region, [(pk, territory), ...]), ...] by region code then name. From the kept options
        unless the queryset was set by hand; then read as values, once per queryset: Django
        iterates a select's choices more than once."""
        if self._restriction is not None:
            admitted = filter(self._restriction.admits, territory_options())
            return _grouped((option.pk, option.name, option.region_code, option.region_name) for option in admitted)
        name_field = Region.name_field()
        cached = getattr(self, "_groups_read", None)
        if cached is not None and cached[0] is self.queryset and cached[1] == name_field:
            return cached[2]
        rows = self.queryset.values_list("pk", "name", "region__code", f"region__{name_field}")
        groups = _grouped(sorted(rows, key=lambda row: (row[2], row[1])))
        self._groups_read = (self.queryset, name_field, groups)
        return groups

    def _with_empty(self, groups: list) -> list:
        return [("", self.empty_label), *groups] if self.empty_label is not None else list(groups)

    def _grouped_choices(self):
        return self._with_empty(self._groups())

    def _get_choices(self):
        # Lazy, like ModelChoiceField's own: the options are read when the select is rendered.
        if getattr(self, "_shared_choices", None) is not None:
            return self._shared_choices
        return CallableChoiceIterator(self._grouped_choices)

    def share_choices(self, *others: "TerritoryChoiceField") -> None:
        """Read the territories once for several selects of the same form (they differ only by
        their empty label)."""
        groups = self._groups()
        for field in (self, *others):
            field._shared_choices = field.widget.choices = field._with_empty(groups)

    choices = property(_get_choices, forms.ChoiceField.choices.fset)


class DirectorySearchForm(forms.Form):
    """The directory's search: a territory, an MRC or a town, and a region. GET, so that a search
    is a link people can share."""

    q = forms.CharField(
        label=_("Territoire, MRC ou ville"),
        required=False,
        max_length=100,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    region = forms.ChoiceField(label=_("Région"), required=False, widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Toutes les régions")), *((r.code, r.name) for r in regions)]
