import datetime

import factory
from django.utils import timezone

from activities.models import Activity, ActivityKind
from tests.factories import TerritoryFactory


def in_days(days: float, hour: int | None = None) -> datetime.datetime:
    moment = timezone.now() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0) if hour is not None else moment


class ActivityFactory(factory.django.DjangoModelFactory):
    """A published séjour exploratoire in ten days, for three days, six seats (written directly;
    the tests of the services use activity_publish)."""

    class Meta:
        model = Activity

    territory = factory.SubFactory(TerritoryFactory)
    kind = ActivityKind.EXPLORATORY_STAY
    title_fr = factory.Sequence(lambda n: f"Séjour exploratoire n° {n}")
    title_en = factory.Sequence(lambda n: f"Exploratory stay no. {n}")
    description_fr = "Trois jours pour rencontrer des employeurs, visiter des logements et la garderie."
    description_en = "Three days to meet employers, visit housing and the daycare."
    starts_at = factory.LazyFunction(lambda: in_days(10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(days=2))
    place = "Hôtel de ville, 10 rue Principale"
    capacity = 6
    registration_deadline = factory.LazyAttribute(lambda o: o.starts_at - datetime.timedelta(days=3))
    cancellation_deadline = factory.LazyAttribute(lambda o: o.starts_at - datetime.timedelta(days=1))


def started(activity: Activity, *, hours_ago: float = 1) -> Activity:
    """Move the activity so that it started `hours_ago` (its deadlines before that)."""
    start = timezone.now() - datetime.timedelta(hours=hours_ago)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start,
        ends_at=start + datetime.timedelta(days=2),
        registration_deadline=start - datetime.timedelta(hours=1),
        cancellation_deadline=start - datetime.timedelta(hours=1),
    )
    activity.refresh_from_db()
    return activity
