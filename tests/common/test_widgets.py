"""FastSelect writes what forms.Select writes through Django's templates (common/widgets.py)."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from common.widgets import FastSelect

GROUPED = [
    ("", "Choisissez un territoire"),
    ("01 – Bas-Saint-Laurent", [(1, "Rimouski-Neigette"), (2, "La Mitis")]),
    ("08 – Abitibi-Témiscamingue", [(3, 'Rouyn-Noranda <"&">'), (4, "Témiscamingue")]),
]
FLAT = [("", "—"), ("new", "Nouveau"), ("coaching", "En accompagnement")]


@pytest.mark.parametrize(
    ("choices", "value", "attrs"),
    [
        (GROUPED, None, None),
        (GROUPED, 3, {"id": "id_territory", "required": True, "class": "form-select is-invalid"}),
        (GROUPED, "4", {"aria-describedby": 'help "x"', "disabled": False, "autofocus": True}),
        (FLAT, "coaching", {"id": "id_status"}),
        ([], None, None),
    ],
)
def test_fast_select_writes_what_django_s_select_writes(choices, value, attrs):
    fast, django = FastSelect(choices=choices), forms.Select(choices=choices)

    assert fast.render("territory", value, attrs) == django.render(
        "territory", value, attrs, renderer=DjangoTemplates()
    )


def test_a_form_field_renders_the_same_through_a_bound_form():
    class Form(forms.Form):
        fast = forms.ChoiceField(choices=GROUPED, widget=FastSelect)
        slow = forms.ChoiceField(choices=GROUPED)

    form = Form(data={"fast": "2", "slow": "2"})
    form.is_valid()

    assert str(form["fast"]).replace("fast", "x") == str(form["slow"]).replace("slow", "x")
