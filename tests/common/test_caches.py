"""common.caches.FragmentCache: LocMemCache without the pickling, for the layout's fragments. What
it keeps comes back as it went in, it expires and culls as LocMemCache does, and the site's
"fragments" cache is one."""

import time

import pytest
from django.core.cache import caches
from django.utils.safestring import SafeString, mark_safe

from common.caches import FragmentCache


def fragment_cache(max_entries: int = 10) -> FragmentCache:
    return FragmentCache(f"test-{time.monotonic_ns()}", {"OPTIONS": {"MAX_ENTRIES": max_entries}})


def test_the_site_keeps_its_fragments_in_one():
    assert isinstance(caches["fragments"], FragmentCache)


def test_a_fragment_comes_back_as_it_went_in_safe_and_unpickled():
    cache = fragment_cache()
    html = mark_safe('<a href="/">Accueil</a>')
    cache.set("layout-nav", html, 60)
    kept = cache.get("layout-nav")
    assert kept is html and isinstance(kept, SafeString)
    assert cache.get("absent", "default") == "default"
    assert cache.add("layout-nav", "other", 60) is False and cache.get("layout-nav") is html
    assert cache.add("layout-head", "head", 60) is True and cache.get("layout-head") == "head"
    cache.delete("layout-head")
    assert cache.get("layout-head") is None


def test_a_fragment_expires_and_the_oldest_are_culled():
    cache = fragment_cache(max_entries=4)
    cache.set("short", "x", 0.05)
    time.sleep(0.1)
    assert cache.get("short") is None and not cache.has_key("short")
    for number in range(12):
        cache.set(f"key-{number}", number)
    assert len(cache._cache) <= 4
    assert cache.get("key-11") == 11


def test_counters_still_count():
    cache = fragment_cache()
    cache.set("count", 1)
    assert cache.incr("count", 2) == 3 and cache.get("count") == 3
    with pytest.raises(ValueError):
        cache.incr("absent")
