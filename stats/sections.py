"""The statistics page's sections, one per table, rendered to HTML. A table computed from the
rollups alone (selectors.ROLLUP_TABLES) depends only on the rollups, the filters and the language,
and the rollups change only when rebuilt: its section is kept in the cache under the rebuild's time,
the page's query and the language, so the next visit reads it instead of computing and rendering it
again (the rendering of ~80 rows was most of the page's time), and the next rebuild makes new keys.
The live tables (follow-ups, activities) are computed and rendered on every visit."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .models import Refresh
from .selectors import NO_FILTERS, ROLLUP_TABLES, TABLES

CACHE_SECONDS = 3600  # past the next rebuild (STATS_REFRESH_SECONDS), the key is no longer asked for


def _key(name: str, refresh: Refresh, query: str) -> str:
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    return f"stats:section:{name}:{refresh.refreshed_at.timestamp()}:{get_language()}:{digest}"


def statistics_sections(*, refresh: Refresh, filters: dict, query: str) -> list[SafeString]:
    """Each table's section, in the page's order. `query`: the page's filters as a query string
    (the sections' export links carry it)."""
    keys = {name: _key(name, refresh, query) for name in ROLLUP_TABLES} if refresh.refreshed_at else {}
    kept = cache.get_many(list(keys.values())) if keys else {}
    sections, new = [], {}
    for name, function in TABLES.items():
        html = kept.get(keys.get(name, ""))
        if html is None:
            html = render_to_string("stats/_section.html", {"table": function(**filters), "query": query})
            if name in keys:
                new[keys[name]] = html
        sections.append(mark_safe(html))  # noqa: S308 (rendered by our template, escaped there)
    if new:
        cache.set_many(new, timeout=CACHE_SECONDS)
    return sections


def warm_sections(refresh: Refresh) -> None:
    """After a rebuild: the unfiltered page's sections in each language, so that the first visit
    is as fast as the next ones."""
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            statistics_sections(refresh=refresh, filters=NO_FILTERS, query="")
