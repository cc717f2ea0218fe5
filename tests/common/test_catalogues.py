"""common.catalogues: each language's translations looked up in one dictionary, with the same
answers as Django's catalogue-by-catalogue lookup."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

from common.catalogues import FlatCatalog, flatten_catalogues

LANGUAGES = [code for code, _ in settings.LANGUAGES]


@pytest.fixture(autouse=True)
def _flat():
    flatten_catalogues()  # a test before may have reset Django's translations (LOCALE_PATHS changed)


def fresh(code: str) -> trans_real.DjangoTranslation:
    """The language's translation as Django builds it, with its own TranslationCatalog."""
    return trans_real.DjangoTranslation(code)


def test_the_platforms_languages_are_flat_once_django_has_started():
    """In a new process, as a web worker starts: no request has translated anything yet."""
    code = (
        "import django; django.setup(); from django.utils.translation import trans_real; "
        "print(sorted(type(t._catalog).__name__ + ':' + c for c, t in trans_real._translations.items()))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "pajr.settings"}
    out = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(sorted(f"FlatCatalog:{code}" for code in LANGUAGES))


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_key_gives_what_djangos_lookup_gives(code):
    django_catalog = fresh(code)._catalog
    flat = trans_real.translation(code)._catalog
    assert type(django_catalog) is trans_real.TranslationCatalog
    assert len(django_catalog._catalogs) > 1  # otherwise there is nothing to merge
    keys = set(django_catalog.keys())
    assert keys, "no translations loaded"
    for key in keys:
        assert flat.get(key) == django_catalog.get(key), key
        assert flat[key] == django_catalog[key], key
        assert key in flat
    assert flat.get("Un message qui n'est dans aucun catalogue", "absent") == "absent"
    assert "Un message qui n'est dans aucun catalogue" not in flat
    with pytest.raises(KeyError):
        flat["Un message qui n'est dans aucun catalogue"]


@pytest.mark.parametrize("code", LANGUAGES)
def test_plurals_keep_each_catalogues_rule(code):
    django_translation, translation_ = fresh(code), trans_real.translation(code)
    plural_ids = {key[0] for key in django_translation._catalog.keys() if isinstance(key, tuple)}  # noqa: SIM118 - not iterable
    assert plural_ids
    for msgid in plural_ids:
        for n in (0, 1, 2, 5, 1_000_000):
            assert translation_._catalog.plural(msgid, n) == django_translation._catalog.plural(msgid, n)


def test_an_earlier_catalogue_wins_as_in_djangos_loop():
    catalog = trans_real.TranslationCatalog()
    catalog._catalogs = [{"oui": "yes (project)"}, {"oui": "yes (Django)", "non": "no"}]
    catalog._plurals = [lambda n: int(n > 1), lambda n: int(n != 1)]
    flat = FlatCatalog(catalog)
    assert flat.get("oui") == "yes (project)" == catalog.get("oui")
    assert flat.get("non") == "no"
    flat["peut-être"] = "maybe"  # a change is seen at once
    assert flat.get("peut-être") == "maybe"


def test_pages_translate_through_the_flat_catalogues():
    with translation.override("en"):
        assert translation.gettext("Aller au contenu") == "Skip to content"
    with translation.override("fr-ca"):
        assert translation.gettext("Aller au contenu") == "Aller au contenu"
        assert translation.gettext("This field is required.") == "Ce champ est obligatoire."
    with translation.override("en"):
        message = translation.ngettext(
            "%(count)d dossier assigné à %(name)s.", "%(count)d dossiers assignés à %(name)s.", 2
        )
        assert message % {"count": 2, "name": "Léa"} == "2 files assigned to Léa."


def test_a_translation_loaded_later_is_flattened_again(settings):
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS]  # Django forgets its translations
    assert not isinstance(trans_real.translation("en")._catalog, FlatCatalog)
    flatten_catalogues()
    assert isinstance(trans_real.translation("en")._catalog, FlatCatalog)
