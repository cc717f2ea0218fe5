"""Each language's translations looked up in one dictionary instead of one per catalogue.

Django keeps a language's catalogues apart (`TranslationCatalog`: Django's own, allauth's, each
app's and the project's), because their plural rules may differ, and looks a message up in each in
turn. Its merge of catalogues that share a rule never happens (it compares a code object with a
function), so French has 11 catalogues and English 8. The project's messages are French: on a
French page every `gettext` misses in all 11, twice (the message, then its singular form), about
150 times a request (issue 17).

`get`, `[]` and `in` give the first catalogue's entry for a key, exactly as Django's loop does:
the dictionary here is built from the catalogues, the last first, so an earlier one wins. Plurals
(`ngettext`) still go through each catalogue with its own rule, unchanged.
"""

from django.conf import settings
from django.utils.translation import trans_real


class FlatCatalog(trans_real.TranslationCatalog):
    """A `TranslationCatalog` (the same catalogues and plural rules) with one merged dictionary
    for the lookups by key. Changes (`update`, `[key] = value`) rebuild it."""

    def __init__(self, catalog: trans_real.TranslationCatalog):
        self._catalogs = catalog._catalogs
        self._plurals = catalog._plurals
        self._merge()

    def _merge(self) -> None:
        merged: dict = {}
        for catalogue in reversed(self._catalogs):
            merged.update(catalogue)
        self._merged = merged
        self.get = merged.get  # the hot path: the dictionary's own method, no Python frame

    def __getitem__(self, key):
        return self._merged[key]

    def __contains__(self, key):
        return key in self._merged

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self._merge()

    def update(self, trans):
        super().update(trans)
        self._merge()


def flatten_catalogues() -> None:
    """Load each of LANGUAGES' translations (Django keeps them for the process) and give each a
    FlatCatalog. A translation loaded later (a test's changed LOCALE_PATHS) keeps Django's."""
    for code, _ in settings.LANGUAGES:
        translation = trans_real.translation(code)
        catalog = getattr(translation, "_catalog", None)
        if isinstance(catalog, trans_real.TranslationCatalog) and not isinstance(catalog, FlatCatalog):
            translation._catalog = FlatCatalog(catalog)
