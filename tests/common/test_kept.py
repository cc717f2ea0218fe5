"""common.kept: the copies each process keeps, valid while their group's shared version stands."""

import pytest
from django.core.cache import cache
from django.utils import translation

from common import kept as kept_module
from common.kept import forget, forget_changed, kept, version_key


class Builds:
    """A build function that counts its calls and returns a new object each time."""

    def __init__(self, value="v"):
        self.calls, self.value = 0, value

    def __call__(self):
        self.calls += 1
        return [self.value, self.calls]


def test_a_copy_is_built_once_then_kept():
    build = Builds()
    first = kept("g", "list", build)
    assert kept("g", "list", build) is first and build.calls == 1


def test_each_language_has_its_copy_unless_the_value_does_not_depend_on_it():
    per_language, shared = Builds(), Builds()
    for language in ("fr", "en", "fr", "en"):
        with translation.override(language):
            kept("g", "labels", per_language)
            kept("g", "rows", shared, per_language=False)
    assert per_language.calls == 2 and shared.calls == 1


def test_a_copy_older_than_its_seconds_or_no_longer_good_is_built_again():
    build = Builds()
    kept("g", "short", build, seconds=0)
    kept("g", "short", build, seconds=0)
    assert build.calls == 2
    checked = Builds()
    kept("g", "checked", checked, still_good=lambda value: False)
    kept("g", "checked", checked, still_good=lambda value: False)
    kept("g", "checked", checked, still_good=lambda value: True)
    assert checked.calls == 2


def test_another_process_forgetting_the_group_reaches_this_one_when_it_next_looks(monkeypatch):
    build = Builds()
    kept("g", "list", build)
    cache.delete(version_key("g"))  # what forget() in another process does
    kept("g", "list", build)
    assert build.calls == 1  # not looked at again within RECHECK_SECONDS
    monkeypatch.setattr(kept_module, "RECHECK_SECONDS", 0)
    kept("g", "list", build)
    kept("g", "list", build)
    assert build.calls == 2  # once for the change, then kept again


def test_the_names_of_a_group_share_one_look_at_its_version(monkeypatch):
    """The 85 territories' pages of the directory: one read of the shared version for the group
    every RECHECK_SECONDS, not one per page."""
    looks = []
    read = kept_module._version
    monkeypatch.setattr(kept_module, "_version", lambda group: looks.append(group) or read(group))
    builds = Builds()
    for _ in range(2):
        for code in range(10):
            kept("territories", f"territory:{code}", builds)
    kept("other", "list", Builds())

    assert builds.calls == 10
    assert looks == ["territories", "other"]


def test_forget_drops_its_group_only():
    mine, theirs = Builds(), Builds()
    kept("mine", "list", mine)
    kept("theirs", "list", theirs)
    forget("mine")
    kept("mine", "list", mine)
    kept("theirs", "list", theirs)
    assert (mine.calls, theirs.calls) == (2, 1)


@pytest.mark.django_db(transaction=True)
def test_a_change_forgets_again_when_its_transaction_commits():
    """Another process may build its copy between the change and the commit, from the data before
    it: the second forget, at commit, makes it build again."""
    from django.db import transaction

    build = Builds()
    kept("g", "list", build)
    with transaction.atomic():
        forget_changed("g")
        kept("g", "list", build)  # built in between, as another process would
        assert build.calls == 2
    kept("g", "list", build)
    assert build.calls == 3


@pytest.mark.django_db
def test_without_the_shared_cache_nothing_is_kept_and_pages_stay_up(client, settings, caplog):
    """Redis down (a port where nothing listens): every read builds its value, the directory
    answers, and the failure is logged without the page's data."""
    from django.core.cache import caches
    from django.urls import reverse

    from devtools.rig import free_port
    from tests.factories import TerritoryFactory

    settings.CACHES = {
        **settings.CACHES,  # the layout's "fragments" stay in each process's memory
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        },
    }
    caches.close_all()
    build = Builds()
    kept("g", "list", build)
    kept("g", "list", build)
    assert build.calls == 2
    forget("g")  # does not raise either
    TerritoryFactory(code="RN", name="Rouyn-Noranda")
    assert "Rouyn-Noranda" in client.get(reverse("territories:directory")).text
    assert "the shared cache does not answer" in caplog.text
