from itertools import groupby

from django import forms
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from .models import Territory


class TerritoryChoiceField(forms.ModelChoiceField):
    """A select of the active territories, grouped by region, in one query."""

    def __init__(self, **kwargs):
        kwargs.setdefault("empty_label", _("Choisissez un territoire"))
        super().__init__(queryset=Territory.objects.active().select_related("region"), **kwargs)

    def _grouped_choices(self):
        territories = sorted(self.queryset, key=lambda t: (t.region.code, t.name))
        choices = [("", self.empty_label)] if self.empty_label is not None else []
        for region, items in groupby(territories, key=lambda t: t.region):
            choices.append((str(region), [(t.pk, t.name) for t in items]))
        return choices

    def _get_choices(self):
        # Lazy, like ModelChoiceField's own: the query runs when the select is rendered.
        return CallableChoiceIterator(self._grouped_choices)

    choices = property(_get_choices, forms.ChoiceField.choices.fset)
