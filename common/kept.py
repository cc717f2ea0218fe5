"""Copies each process keeps of what is read on many pages and changes rarely: the queue's filter
choices (counselling.filter_options), the public directory's regions and territories
(territories.selectors). Reading them again cost a query or several and their models' building
on every page; reading them from the shared cache, a round trip to Redis (~0.5 ms) and unpickling.

Each copy belongs to a group and is valid while the group's version in the shared cache is
unchanged; a process looks at that version at most every RECHECK_SECONDS for the whole group (the
85 territories' pages share one look, not one each: issue 17). A change forgets the
group (`forget`, called by the owning app's receivers): at once in the process that made it,
within RECHECK_SECONDS in the others, which find the version gone. `seconds` bounds the
staleness of anything the receivers miss (a bulk update, a row written in the shell).

What is kept is shared by every request of the process: callers must not change it. Without the
shared cache (Redis down), nothing is kept: each read builds its value, as before there was a copy,
and the pages stay up."""

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

RECHECK_SECONDS = 2


@dataclass
class _Copy:
    version: str
    built: float
    value: object


_kept: dict[tuple[str, str, str], _Copy] = {}  # {(group, name, language or ""): this process's copy}
_seen: dict[str, tuple[str, float]] = {}  # {group: (its shared version, when this process last read it)}


def version_key(group: str) -> str:
    return f"kept:{group}:version"


def _version(group: str) -> str | None:
    """The group's shared version; None when the shared cache does not answer."""
    key = version_key(group)
    try:
        version = cache.get(key)
        if version is None:
            cache.add(key, uuid.uuid4().hex, timeout=None)
            version = cache.get(key)
    except Exception as error:  # whatever the cache's backend raises: build, keep nothing
        logger.warning("kept group=%s: the shared cache does not answer (%s)", group, type(error).__name__)
        return None
    return version


def _seen_version(group: str, now: float) -> str | None:
    """The group's shared version, read at most every RECHECK_SECONDS by this process."""
    seen = _seen.get(group)
    if seen and now - seen[1] < RECHECK_SECONDS:
        return seen[0]
    version = _version(group)
    if version is None:
        _seen.pop(group, None)
    else:
        _seen[group] = (version, now)
    return version


def kept[T](
    group: str,
    name: str,
    build: Callable[[], T],
    *,
    seconds: float = 300,
    per_language: bool = True,
    still_good: Callable[[T], bool] = lambda value: True,
) -> T:
    """This process's copy of `name` (in the active language when `per_language`), built again
    (`build()`) when the group's shared version changed, after `seconds`, or when
    `still_good(copy)` says no."""
    language = (get_language() or settings.LANGUAGE_CODE) if per_language else ""
    key, now = (group, name, language), time.monotonic()
    copy = _kept.get(key)
    version = _seen_version(group, now)
    if copy and now - copy.built < seconds and still_good(copy.value) and copy.version == version:
        return copy.value
    value = build()
    if version is None:
        _kept.pop(key, None)
    else:
        _kept[key] = _Copy(version=version, built=now, value=value)
    return value


def forget(group: str) -> None:
    """This process builds the group's copies again on its next read, the others after their
    next look at the shared version."""
    for key in [key for key in _kept if key[0] == group]:
        del _kept[key]
    _seen.pop(group, None)
    try:
        cache.delete(version_key(group))
    except Exception as error:  # the others cannot read it either: they keep nothing meanwhile
        logger.warning("kept group=%s: the shared cache does not answer (%s)", group, type(error).__name__)


def forget_changed(group: str) -> None:
    """For receivers of a change: forget the group now (this process reads its own transaction's
    writes) and again once the transaction commits: another process that rebuilt its copies in
    between read the data from before the change, and would keep it for `seconds`."""
    forget(group)
    transaction.on_commit(lambda: forget(group))


def forget_all() -> None:
    """Every group, in this process and the shared cache (tests start with none kept)."""
    for group in {key[0] for key in _kept}:
        forget(group)
    _kept.clear()
    _seen.clear()
