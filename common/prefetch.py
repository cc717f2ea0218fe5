"""One object's related rows, read straight: `read_related(candidate, Prefetch("events", queryset=…))`
leaves `candidate.events.all()` as `prefetch_related_objects([candidate], …)` would, with less
work for a single object.

For a list of objects, Django filters the related rows by `IN (the objects)` (a RelatedIn lookup
built and compiled for the objects themselves), groups them by parent, then builds for each
parent the queryset its manager would run and stores the rows in it. With one parent, the second
queryset is the whole read: this runs it and keeps it. On the counsellor's file page, five such
reads went from 6.2 to 5.7 ms of CPU (docs/benchmarks.md, "Issue 17, eighteenth stop").

What is kept is what Django's prefetch keeps: the manager's own queryset (`candidate.events.all()`
gives the rows; `.filter()` on it reads the database for that object only), each row's
back-reference to the object (no query for `event.candidate`), the queryset's own
`prefetch_related` run on its rows, and a relation already read is not read again. Anything this
does not handle the same way is left to Django: a lookup through another relation ("a__b"), a
`to_attr`, a forward or many-to-many relation.

`ReadsOneStraight`, mixed into a model's QuerySet, does the same for the querysets that find one
object (a `get()`, a `first()`, a filter on a key): their `prefetch_related` lookups go through
`read_related`. With more objects, Django's prefetch does as before.
"""

from django.db.models import Model, Prefetch, QuerySet, prefetch_related_objects
from django.db.models.fields.related_descriptors import ReverseManyToOneDescriptor


def _reverse_many_to_one_manager(instance: Model, name: str):
    """The manager of `instance.<name>` when it is a plain foreign key's other side (not a
    many-to-many or a generic relation, whose descriptors subclass this one); else None."""
    if type(getattr(type(instance), name, None)) is not ReverseManyToOneDescriptor:
        return None
    return getattr(instance, name)


def read_related(instance: Model, *lookups: Prefetch | str) -> None:
    """For one saved object, what `prefetch_related_objects([instance], *lookups)` does."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for lookup in lookups:
        if isinstance(lookup, str):
            lookup = Prefetch(lookup)
        name = lookup.prefetch_through
        manager = None if "__" in name or lookup.to_attr else _reverse_many_to_one_manager(instance, name)
        if manager is None:
            prefetch_related_objects([instance], lookup)
            continue
        cache_name = manager.field.remote_field.cache_name
        if cache_name in cache:
            continue
        # A copy: the manager's filter is added in place, and the lookup's queryset is shared.
        queryset = (
            manager.get_queryset() if lookup.queryset is None else manager._apply_rel_filters(lookup.queryset.all())
        )
        queryset._fetch_all()
        cache[cache_name] = queryset


class ReadsOneStraight(QuerySet):
    """A QuerySet whose prefetches, when it found one object, are read straight (see the module)."""

    def _prefetch_related_objects(self):
        found = self._result_cache
        if len(found) == 1 and isinstance(found[0], Model):
            read_related(found[0], *self._prefetch_related_lookups)
            self._prefetch_done = True
        else:
            super()._prefetch_related_objects()
