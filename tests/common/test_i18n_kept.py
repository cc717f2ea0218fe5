"""common.templatetags.i18n_kept: `{% load i18n %}` gives Django's library with `translate` on a
constant kept per language, and every form of the tag writes what Django's writes."""

import pytest
from django.template import Context, Engine, engines
from django.test import override_settings
from django.utils import translation

from common.templatetags.i18n_kept import KeptTranslateNode

DJANGOS = Engine(libraries={"i18n": "django.templatetags.i18n"})
OURS = Engine(libraries={"i18n": "common.templatetags.i18n_kept"})

TEMPLATES = [
    '{% translate "Les territoires" %}',
    "{% trans 'Les territoires' %}",
    '{% translate "Se connecter" %}|{% translate "Se déconnecter" %}',
    '{% translate "Les territoires" as label %}[{{ label }}]{{ label|upper }}',
    '{% translate "Les territoires"|upper %}',
    '{% translate "Les territoires" noop %}',
    '{% translate "Mai" context "mois" %}',
    "{% translate word %}",
    "{% translate word as label %}{{ label }}",
    '{% translate "Tom & Jerry <b>" %}',
    '{% translate "50 %% de rabais" %}',
    '{% autoescape off %}{% translate "Tom & Jerry <b>" %}{% endautoescape %}',
    "{% blocktranslate %}Les territoires{% endblocktranslate %}",
    "{% get_current_language as code %}{{ code }}",
    "{% language 'en' %}{% translate 'Les territoires' %}{% endlanguage %}",
]


@pytest.mark.parametrize("source", TEMPLATES)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_form_of_the_tags_writes_what_djangos_writes(source, language):
    source = "{% load i18n %}" + source
    ours = OURS.from_string(source)
    with translation.override(language):
        for _ in range(2):  # the first rendering keeps, the second reads what was kept
            for word in ("Les territoires", "Activités"):
                context = {"word": word}
                assert ours.render(Context(context)) == DJANGOS.from_string(source).render(Context(context))


def test_the_site_loads_this_library_as_i18n():
    template = engines["django"].from_string('{% load i18n %}{% translate "Les territoires" %}')

    nodes = template.template.nodelist.get_nodes_by_type(KeptTranslateNode)
    assert len(nodes) == 1 and nodes[0].constant
    with translation.override("en"):
        assert template.render() == "Territories"
    with translation.override("fr"):
        assert template.render() == "Les territoires"
    assert nodes[0].kept == {("en", True): "Territories", ("fr", True): "Les territoires"}


def test_a_variable_a_filter_noop_or_a_context_is_not_kept():
    template = OURS.from_string(
        "{% load i18n %}{% translate word %}{% translate 'Mai'|upper %}{% translate 'Mai' noop %}"
        "{% translate 'Mai' context 'mois' %}"
    )

    nodes = template.nodelist.get_nodes_by_type(KeptTranslateNode)
    assert [node.constant for node in nodes] == [False, False, False, False]
    with translation.override("en"):
        template.render(Context({"word": "Les territoires"}))
    assert all(node.kept == {} for node in nodes)


def test_a_change_of_catalogues_forgets_what_was_kept(tmp_path):
    template = OURS.from_string('{% load i18n %}{% translate "Les territoires" %}')
    with translation.override("en"):
        template.render(Context())
    node = template.nodelist.get_nodes_by_type(KeptTranslateNode)[0]
    assert node.kept

    with override_settings(LOCALE_PATHS=[tmp_path]):
        assert node.kept == {}
