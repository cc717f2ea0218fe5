"""Hooks for the pages of lower or other apps, which cannot import this one: the directory's
region and territory pages show their upcoming activities, Mon dossier the person's registrations
(one query each; none for the calendar of territories with no activity to come: selectors.any_upcoming)."""

from django import template

from ..selectors import any_upcoming, calendar_activities, candidate_registrations

register = template.Library()

SHOWN = 6


@register.inclusion_tag("activities/_upcoming.html")
def upcoming_activities(*, territory=None, region=None):
    activities = []
    if territory is None or any_upcoming([territory.pk]):
        activities = list(calendar_activities(territory=territory, region=region)[: SHOWN + 1])
    return {
        "activities": activities[:SHOWN],
        "more": len(activities) > SHOWN,
        "territory": territory,
        "region": region,
    }


@register.inclusion_tag("activities/_my_registrations.html")
def my_activity_registrations(candidate):
    """The person's registrations, and the next activities of their target territories they have
    not registered for (two queries, one when the targets have no activity to come; the targets
    come prefetched with the file)."""
    registrations = list(candidate_registrations(candidate))
    territory_ids = [target.territory_id for target in candidate.targets.all()]
    nearby = []
    if territory_ids and any_upcoming(territory_ids):
        nearby = list(
            calendar_activities()
            .filter(territory_id__in=territory_ids)
            .exclude(pk__in=[registration.activity_id for registration in registrations])[:3]
        )
    return {"registrations": registrations, "nearby": nearby, "candidate": candidate}
