"""Coordinators publish, change and cancel activities in the admin, through the services: the same
rules as the agents' form, and cancelling tells the registrants."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityStatus, RegistrationStatus
from activities.services import registration_create
from notifications.models import OutboxEmail
from tests.factories import CandidateFactory, CoordinatorFactory, TerritoryFactory

from .factories import ActivityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(CoordinatorFactory(is_superuser=True))
    return client


def form(territory, **changes) -> dict:
    start = timezone.localtime() + datetime.timedelta(days=15)
    return {
        "territory": territory.pk,
        "kind": "welcome",
        "title_fr": "5 à 7 d'accueil",
        "title_en": "",
        "description_fr": "Rencontrer les gens de la place.",
        "description_en": "",
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": "17:00",
        "ends_at_0": start.strftime("%Y-%m-%d"),
        "ends_at_1": "19:00",
        "place": "Café du village",
        "online_url": "",
        "language": "fr",
        "capacity": "30",
        "registration_deadline_0": (start - datetime.timedelta(days=2)).strftime("%Y-%m-%d"),
        "registration_deadline_1": "17:00",
        "cancellation_deadline_0": (start - datetime.timedelta(days=1)).strftime("%Y-%m-%d"),
        "cancellation_deadline_1": "17:00",
        "cost_fr": "",
        "cost_en": "",
        "age_min": "",
        "age_max": "",
        **changes,
    }


def test_a_coordinator_publishes_in_the_admin_and_bad_input_is_refused(admin_client):
    territory = TerritoryFactory()
    add = reverse("admin:activities_activity_add")
    response = admin_client.post(add, form(territory, ends_at_1="16:00"))
    assert response.status_code == 200 and "après le début" in response.content.decode()
    assert not Activity.objects.exists()

    response = admin_client.post(add, form(territory))

    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get()
    assert activity.published_by_agent is None and timezone.localtime(activity.starts_at).hour == 17


def test_capacity_below_the_registrants_is_refused_in_the_admin(admin_client):
    activity = ActivityFactory(capacity=2)
    for _ in range(2):
        registration_create(activity=activity, candidate=CandidateFactory())
    change = reverse("admin:activities_activity_change", args=[activity.pk])
    local = {name: timezone.localtime(getattr(activity, name)) for name in ("starts_at", "ends_at")}
    local |= {
        name: timezone.localtime(getattr(activity, name)) for name in ("registration_deadline", "cancellation_deadline")
    }
    data = form(activity.territory, capacity="1", title_fr=activity.title_fr)
    for name, moment in local.items():
        data[f"{name}_0"], data[f"{name}_1"] = moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M:%S")
    response = admin_client.post(change, data)
    assert response.status_code == 200 and "ne peut pas être plus petit" in response.content.decode()
    activity.refresh_from_db()
    assert activity.capacity == 2


def test_the_admin_action_cancels_and_tells_the_registrants(admin_client, django_capture_on_commit_callbacks):
    activity = ActivityFactory()
    registration = registration_create(activity=activity, candidate=CandidateFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:activities_activity_changelist"),
            {"action": "cancel_activities", "_selected_action": [activity.pk]},
        )
    assert response.status_code == 302
    activity.refresh_from_db()
    registration.refresh_from_db()
    assert activity.status == ActivityStatus.CANCELLED and registration.status == RegistrationStatus.CANCELLED
    assert OutboxEmail.objects.filter(template="activity_cancelled_candidate").count() == 1
