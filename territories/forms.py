from itertools import groupby

from django import forms
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from .models import Region, Territory


class TerritoryChoiceField(forms.ModelChoiceField):
    """A select of the active territories, grouped by region, in one query; its 62 options are
    written in Python by the forms' renderer (common.form_renderer)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("empty_label", _("Choisissez un territoire"))
        super().__init__(queryset=Territory.objects.active().select_related("region"), **kwargs)

    def _groups(self) -> list:
        """[(region, [(pk, territory), ...]), ...] by region code then name. Read as values: a
        territory has a dozen texts in two languages, which the select does not show. Read once
        per queryset: Django iterates a select's choices more than once."""
        name_field = Region.name_field()
        cached = getattr(self, "_groups_read", None)
        if cached is not None and cached[0] is self.queryset and cached[1] == name_field:
            return cached[2]
        rows = self.queryset.values_list("pk", "name", "region__code", f"region__{name_field}")
        territories = sorted(rows, key=lambda row: (row[2], row[1]))
        groups = [
            (f"{code} – {region}", [(pk, name) for pk, name, *_ in items])
            for (code, region), items in groupby(territories, key=lambda row: (row[2], row[3]))
        ]
        self._groups_read = (self.queryset, name_field, groups)
        return groups

    def _with_empty(self, groups: list) -> list:
        return [("", self.empty_label), *groups] if self.empty_label is not None else list(groups)

    def _grouped_choices(self):
        return self._with_empty(self._groups())

    def _get_choices(self):
        # Lazy, like ModelChoiceField's own: the query runs when the select is rendered.
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
