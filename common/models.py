from django.db import models
from django.utils import timezone


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
