"""FastRenderer (common/form_renderer.py) writes what Django's own templates write: widget by widget,
and for whole pages full of forms."""

import datetime
import re
from decimal import Decimal

import pytest
from django import forms
from django.forms.models import ModelChoiceIteratorValue
from django.forms.renderers import DjangoTemplates
from django.test import override_settings
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from common.form_renderer import INPUT_TEMPLATES, WRITERS, FastRenderer
from tests.factories import CounsellorFactory, TerritoryFactory
from tests.journeys import declined_then_accepted
from tests.pages import file_url

DJANGO = "django.forms.renderers.DjangoTemplates"
HOSTILE = '<b>"Côté" & l\'autre</b>'
GROUPED = [
    ("", "Choisissez"),
    ("01 – Bas-Saint-Laurent", [(1, "Rimouski"), (2, HOSTILE)]),
    (gettext_lazy("Aucun"), [(3, gettext_lazy("Nouveau")), (4, mark_safe("<i>sûr</i>"))]),
]
ATTRS = [
    None,
    {"id": "id_x", "required": True, "disabled": False, "class": "form-control is-invalid"},
    {"aria-describedby": HOSTILE, "data-n": 3, "maxlength": 40, "placeholder": gettext_lazy("Nouveau")},
    {"title": mark_safe("<déjà sûr>"), "autofocus": True},
]
WIDGETS = [
    (forms.TextInput(), [None, "", "Tremblay", HOSTILE, 0, 12.5]),
    (forms.EmailInput(), [None, "a&b@example.org"]),
    (forms.NumberInput(), [None, 3, Decimal("1234.5")]),
    (forms.PasswordInput(render_value=True), ["secret<>"]),
    (forms.HiddenInput(), ["42", HOSTILE]),
    (forms.DateInput(), [None, datetime.date(2026, 12, 5), "2026-12-05"]),
    (forms.URLInput(), ["https://example.org/?a=1&b=2"]),
    (forms.CheckboxInput(), [None, False, True, "on"]),
    (forms.Textarea(attrs={"rows": 3}), [None, "", "Ligne 1\nLigne 2 <script>", mark_safe("<p>sûr</p>")]),
    (forms.Select(choices=GROUPED), [None, "", 2, "4", [1, 3]]),
    (forms.SelectMultiple(choices=GROUPED), [None, [1, 3], ["2"]]),
    (forms.NullBooleanSelect(), [None, True, False]),
    (forms.Select(choices=[("", "—"), (ModelChoiceIteratorValue(7, None), "Sept")]), [None, 7]),  # ModelChoiceField
    (forms.Select(choices=[(1, 1000), (2, Decimal("2.5"))]), [1]),  # labels a template localizes
    (forms.Select(choices=[(datetime.date(2026, 1, 2), "2 janvier")]), [datetime.date(2026, 1, 2)]),
    (forms.RadioSelect(choices=GROUPED), [2]),  # not written in Python: the templates, as before
]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(("widget", "values"), WIDGETS, ids=lambda w: type(w).__name__ if hasattr(w, "render") else "")
def test_each_widget_is_written_as_django_s_templates_write_it(widget, values, language):
    with override(language):
        for value in values:
            for attrs in ATTRS:
                django = widget.render("field", value, attrs, renderer=DjangoTemplates())
                fast = widget.render("field", value, attrs, renderer=FastRenderer())
                assert fast == django, (value, attrs)


def test_the_written_templates_are_django_s_own_and_none_is_overridden():
    """A template an app overrides would be bypassed by the Python writer: none is, and each
    "input" template is still Django's one-line include of input.html."""
    engine = FastRenderer().engine
    for name in WRITERS:
        template = engine.get_template(name)
        assert "/django/forms/templates/django/forms/widgets/" in template.origin.name, name
    for name in INPUT_TEMPLATES - {"django/forms/widgets/input.html"}:
        source = engine.get_template(name).template.source.strip()
        assert source == '{% include "django/forms/widgets/input.html" %}', name


def test_the_project_s_forms_use_it(settings):
    assert settings.FORM_RENDERER == "common.form_renderer.FastRenderer"
    assert isinstance(forms.Form().renderer, FastRenderer)


def _page(client, url: str, renderer: str) -> str:
    with override_settings(FORM_RENDERER=renderer):
        html = client.get(url, follow=True).content.decode()
    # What differs from one request to the next whatever the renderer: CSRF tokens and CSP nonces.
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)
    return re.sub(r'nonce="[^"]+"', "nonce", html)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_counsellor_s_file_page_is_the_same_either_way(client, language):
    journey = declined_then_accepted()
    TerritoryFactory(name='Côte "Nord" & <Sud>')
    client.force_login(CounsellorFactory())
    client.cookies["django_language"] = language

    fast = _page(client, file_url(journey.candidate), "common.form_renderer.FastRenderer")

    assert fast == _page(client, file_url(journey.candidate), DJANGO)
    assert "<select" in fast and "<textarea" in fast and 'type="checkbox"' in fast


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_registration_and_sign_in_pages_are_the_same_either_way(client, language):
    TerritoryFactory(name="Rimouski-Neigette")
    client.cookies["django_language"] = language
    for url in (reverse("candidates:register"), reverse("account_login")):
        fast = _page(client, url, "common.form_renderer.FastRenderer")
        assert fast == _page(client, url, DJANGO), url
        assert "<input" in fast, url
