"""The statistics' activities table: registrants, attendees, and the attendees later referred,
accepted and settled, by region of the activity; each person once; filters applied."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Registration
from activities.services import attendance_record, registration_create
from candidates.choices import CandidateStatus
from stats import direct, selectors
from tests.activities.factories import ActivityFactory, started
from tests.factories import AgentFactory, CandidateFactory, ReferralFactory, RegionFactory, TerritoryFactory

pytestmark = pytest.mark.django_db
NO_FILTERS = {"date_from": None, "date_to": None, "region": None, "profile_kind": ""}


@pytest.fixture
def known():
    gaspesie = RegionFactory(code="11", name_fr="Gaspésie")
    territory = TerritoryFactory(region=gaspesie)
    agent = AgentFactory(territories=[territory])
    stay, visit = ActivityFactory(territory=territory), ActivityFactory(territory=territory, kind="visit")
    referred, settled, absent = (CandidateFactory(target_territory=territory) for _ in range(3))
    for person in (referred, settled, absent):
        registration_create(activity=stay, candidate=person)
    registration_create(activity=visit, candidate=referred)  # a second activity: still one person
    started(stay)
    started(visit)
    for registration in Registration.objects.filter(candidate__in=[referred, settled]):
        attendance_record(registration=registration, agent=agent, attended=True)
    attendance_record(registration=Registration.objects.get(candidate=absent), agent=agent, attended=False)
    ReferralFactory(candidate=referred, territory=territory, status="accepted", sent_at=timezone.now())
    ReferralFactory(  # before the activity: not "later"
        candidate=settled, territory=territory, status="declined", sent_at=timezone.now() - datetime.timedelta(days=30)
    )
    settled.status = CandidateStatus.SETTLED
    settled.save(update_fields=["status"])
    ActivityFactory(territory=TerritoryFactory(region=RegionFactory(code="01")))  # nobody registered
    return gaspesie


@pytest.mark.parametrize("source", [direct, selectors], ids=["direct", "rollups"])
def test_registrants_attendees_and_what_came_after_by_region(source, known):
    rows = source.TABLES["activities"](**NO_FILTERS).rows
    # region, registrants, present, referred after, accepted after, settled, attendance rate
    assert rows == [[str(known), 3, 2, 1, 1, 1, 2 / 3]]
    other = RegionFactory(code="01")
    assert source.TABLES["activities"](**{**NO_FILTERS, "region": other}).rows == []
    assert source.TABLES["activities"](**{**NO_FILTERS, "profile_kind": "native"}).rows == []


def test_the_statistics_page_shows_the_table(client, counsellor, known):
    client.force_login(counsellor)
    page = client.get(reverse("stats:statistics")).content.decode()
    assert "Activités : inscriptions, présences et suites par région" in page
