from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_CHOICE_LABELS: dict[models.Field, dict] = {}


class ChoiceLabels:
    """`get_FOO_display` from a {value: label} map kept per field. Django's builds the map anew on
    each call, and hashes every choice's lazy label, which translates it: 22 µs a call, 4 µs with
    the map, and the counsellor's file page makes 25. The map keeps the lazy labels, so the label
    asked for is still translated into the active language. Choices given as a callable are read
    on each call, as in Django. Put before models.Model in a model's bases."""

    def _get_FIELD_display(self, field: models.Field) -> str:
        labels = _CHOICE_LABELS.get(field)
        if labels is None:
            if not isinstance(field.choices, list | tuple):
                return super()._get_FIELD_display(field)
            labels = _CHOICE_LABELS[field] = dict(field.flatchoices)
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)


class Heartbeat(models.Model):
    """The last time a periodic job said it was alive (beat's heartbeat, read by /sante/). A row,
    not a cache key, so that the web process sees it whatever cache each process has."""

    name = models.CharField(max_length=50, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name

    @classmethod
    def beat(cls, name: str) -> None:
        cls.objects.update_or_create(name=name, defaults={"at": timezone.now()})

    @classmethod
    def age_seconds(cls, name: str) -> float | None:
        at = cls.objects.filter(name=name).values_list("at", flat=True).first()
        return None if at is None else (timezone.now() - at).total_seconds()
