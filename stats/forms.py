import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.models import ProfileKind
from territories.models import Region


class StatsFilterForm(forms.Form):
    """The page's filters, kept in the URL (GET). Every field is optional."""

    date_from = forms.DateField(
        label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    region = forms.ModelChoiceField(
        label=_("Région"), queryset=Region.objects.all(), to_field_name="code", required=False, empty_label=_("Toutes")
    )
    profile_kind = forms.ChoiceField(label=_("Profil"), choices=[("", _("Tous")), *ProfileKind.choices], required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("La date de début doit précéder la date de fin."))
        return cleaned


def filters_from(form: StatsFilterForm) -> dict:
    """The filters the selectors take, from a bound form (none when it is not valid)."""
    if not form.is_valid():
        return {"date_from": None, "date_to": None, "region": None, "profile_kind": ""}
    data = form.cleaned_data
    return {
        "date_from": data.get("date_from"),
        "date_to": data.get("date_to"),
        "region": data.get("region"),
        "profile_kind": data.get("profile_kind") or "",
    }


def day_bounds(
    date_from: datetime.date | None, date_to: datetime.date | None
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """[start, end) as aware datetimes, so that a filter on a datetime column uses its index."""
    from django.utils import timezone

    start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time.min)) if date_from else None
    end = (
        timezone.make_aware(datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min))
        if date_to
        else None
    )
    return start, end
