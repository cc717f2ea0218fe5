"""The live tables' statements kept per arguments (stats.statements): the rows are those the ORM
reads, for every combination of filters, and still read from the database on every visit."""

import datetime
import itertools

import pytest

from activities.services import attendance_record, registration_create
from candidates.models import ProfileKind
from referrals.models import FollowUp, FollowUpStep, ReferralStatus
from stats import statements
from stats.activities import activities_by_region, activity_rows
from stats.direct import settlement_and_retention, settlement_rows
from tests.activities.factories import ActivityFactory, started
from tests.factories import AgentFactory, CandidateFactory, ReferralFactory, RegionFactory, TerritoryFactory

pytestmark = pytest.mark.django_db
NO_FILTERS = {"date_from": None, "date_to": None, "region": None, "profile_kind": ""}


@pytest.fixture(autouse=True)
def _nothing_kept():
    statements.clear()
    yield
    statements.clear()


@pytest.fixture
def regions():
    """Two regions, each with follow-ups of people of two profiles and an attended activity."""
    made = []
    for code, kind in (("01", ProfileKind.IMMIGRANT), ("02", ProfileKind.NATIVE)):
        territory = TerritoryFactory(region=RegionFactory(code=code))
        agent = AgentFactory(territories=[territory])
        for day, other_kind in ((datetime.date(2025, 3, 1), kind), (datetime.date(2026, 2, 1), ProfileKind.NEO_RURAL)):
            person = CandidateFactory(target_territory=territory, profile_kind=other_kind)
            referral = ReferralFactory(candidate=person, territory=territory, status=ReferralStatus.ACCEPTED)
            for step, after in ((FollowUpStep.MOVED, 0), (FollowUpStep.SETTLED, 40), (FollowUpStep.CHECKIN_12, 370)):
                FollowUp.objects.create(referral=referral, step=step, occurred_on=day + datetime.timedelta(days=after))
            activity = ActivityFactory(territory=territory)
            registration = registration_create(activity=activity, candidate=person)
            started(activity)
            attendance_record(registration=registration, agent=agent, attended=True)
        made.append(territory.region)
    return made


def combinations(regions):
    days = (None, datetime.date(2025, 6, 1))
    for date_from, date_to, region, kind in itertools.product(
        days, (None, datetime.date(2026, 12, 31)), (None, *regions), ("", ProfileKind.IMMIGRANT)
    ):
        yield {"date_from": date_from, "date_to": date_to, "region_id": region and region.pk, "profile_kind": kind}


def test_the_kept_rows_are_the_orms_for_every_filter(regions):
    seen = set()
    for arguments in combinations(regions):
        retention = {**arguments, "twelve_months_ago": datetime.date(2025, 12, 7)}
        for name, build, given in (("r", settlement_rows, retention), ("a", activity_rows, arguments)):
            expected = list(build(**given))
            assert statements.kept_rows(name, build, **given) == expected  # compiled
            assert statements.kept_rows(name, build, **given) == expected  # kept
            seen.add(len(expected))
    assert seen >= {0, 1, 2}  # filters that keep both regions, one, none


def test_a_kept_statement_still_reads_the_rows_of_now(regions):
    first = settlement_and_retention(**NO_FILTERS, today=datetime.date(2026, 12, 7)).rows
    activities = activities_by_region(**NO_FILTERS).rows
    territory = regions[0].territories.first()
    newcomer = CandidateFactory(target_territory=territory)
    referral = ReferralFactory(candidate=newcomer, territory=territory, status=ReferralStatus.ACCEPTED)
    FollowUp.objects.create(referral=referral, step=FollowUpStep.MOVED, occurred_on=datetime.date(2026, 1, 5))
    registration_create(activity=ActivityFactory(territory=territory), candidate=newcomer)

    again = settlement_and_retention(**NO_FILTERS, today=datetime.date(2026, 12, 7)).rows
    activities_again = activities_by_region(**NO_FILTERS).rows

    assert len(statements._KEPT) == 2
    assert again[0][1] == first[0][1] + 1  # one more move in the first region
    assert activities_again[0][1] == activities[0][1] + 1  # one more registrant


def test_a_new_day_or_time_zone_is_a_new_statement(regions, settings):
    settlement_and_retention(**NO_FILTERS, today=datetime.date(2026, 12, 7))
    settlement_and_retention(**NO_FILTERS, today=datetime.date(2026, 12, 8))
    assert len(statements._KEPT) == 2
    may = {**NO_FILTERS, "date_from": datetime.date(2025, 5, 1)}
    activities_by_region(**may)
    settings.TIME_ZONE = "UTC"
    activities_by_region(**may)
    assert len(statements._KEPT) == 4
