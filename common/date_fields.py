"""A date typed as three labelled parts, day, month and year, the way accessible public services
ask for a date of birth (GOV.UK's "memorable date", Canada.ca): no calendar widget to scroll back
thirty years, no format to guess (a browser's date input shows mm/dd/yyyy or jj/mm/aaaa depending
on its settings, not the page's language), and each error says which part is wrong.

The template renders the parts (templates/common/_date_parts.html) inside a fieldset, with a
label for each; the month is a list of the month names in the page's language."""

import datetime
import re

from django import forms
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


class DatePartsWidget(forms.MultiWidget):
    """Day (digits), month (a list of names), year (digits). A date posted whole, in ISO format,
    under the field's own name is read too (scripts and the bench post `1998-03-15`)."""

    def __init__(self, attrs=None):
        digits = {"inputmode": "numeric"}
        widgets = (
            forms.TextInput({**digits, "maxlength": "2", "autocomplete": "bday-day", "class": "form-control date-day"}),
            forms.Select(
                {"autocomplete": "bday-month", "class": "form-select date-month"},
                choices=[("", _("Choisir"))] + [(str(number), name) for number, name in MONTHS.items()],
            ),
            forms.TextInput(
                {**digits, "maxlength": "4", "autocomplete": "bday-year", "class": "form-control date-year"}
            ),
        )
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return ["", "", ""]

    def subwidgets(self, name, value, attrs=None):
        """Each part on its own, so that the template gives each its label."""
        yield from self.get_context(name, value, attrs)["widget"]["subwidgets"]

    def value_from_datadict(self, data, files, name):
        parts = super().value_from_datadict(data, files, name)
        if not any(parts) and (whole := str(data.get(name) or "")):
            if match := ISO_DATE.fullmatch(whole.strip()):
                year, month, day = match.groups()
                return [day, month.lstrip("0"), year]
            return ["", "", whole]
        return parts

    def id_for_label(self, id_):
        # The field's label is the fieldset's legend; each part has a label of its own.
        return ""


class DatePartsField(forms.Field):
    """A date from DatePartsWidget's three parts, with an error that names the part to fix."""

    widget = DatePartsWidget
    default_error_messages = {
        "required": _("Indiquez votre date de naissance."),
        "day_missing": _("Indiquez le jour."),
        "month_missing": _("Choisissez le mois."),
        "year_missing": _("Indiquez l'année."),
        "day": _("Le jour s'écrit en chiffres, de 1 à 31."),
        "month": _("Choisissez le mois dans la liste."),
        "year": _("L'année s'écrit avec quatre chiffres, par exemple 1998."),
        "invalid": _("Cette date n'existe pas : vérifiez le jour et le mois."),
    }

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value
        parts = [str(part or "").strip() for part in (value or ["", "", ""])][:3]
        parts += [""] * (3 - len(parts))
        if not any(parts):
            return None
        missing = [
            forms.ValidationError(self.error_messages[f"{name}_missing"], code=f"{name}_missing")
            for name, part in zip(("day", "month", "year"), parts, strict=True)
            if not part
        ]
        if missing:
            raise forms.ValidationError(missing)
        day, month, year = parts
        wrong = []
        if not day.isdigit() or not 1 <= int(day) <= 31:
            wrong.append(forms.ValidationError(self.error_messages["day"], code="day"))
        if not month.isdigit() or not 1 <= int(month) <= 12:
            wrong.append(forms.ValidationError(self.error_messages["month"], code="month"))
        if not year.isdigit() or len(year) != 4:
            wrong.append(forms.ValidationError(self.error_messages["year"], code="year"))
        if wrong:
            raise forms.ValidationError(wrong)
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(data) != initial
        except forms.ValidationError:
            return True
