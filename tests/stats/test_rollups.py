"""The statistics page reads rollups (stats.selectors) rebuilt by stats.rollups; stats.direct
computes the same figures from the live tables. Every figure must agree, filters included."""

import datetime
import math
import re

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from candidates.models import Candidate, ProfileKind
from devtools.bench.seeding import bench_seed
from stats import direct, rollups, sections, selectors
from stats.models import CohortCount, ReferralFact
from stats.tasks import statistics_refresh_task
from territories.models import Region
from tests.factories import CandidateFactory, CounsellorFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

NO_FILTERS = {"date_from": None, "date_to": None, "region": None, "profile_kind": ""}


def same(a, b) -> bool:
    """Rows alike, floats (rates, median hours) within a millionth."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    return a == b


@pytest.fixture
def seeded():
    bench_seed(candidates=600, log=lambda _message: None)
    rollups.statistics_refresh()


def filter_sets() -> list[dict]:
    today = timezone.localdate()
    regions = list(Region.objects.order_by("code"))
    period = {"date_from": today - datetime.timedelta(days=400), "date_to": today - datetime.timedelta(days=100)}
    sets = [NO_FILTERS, {**NO_FILTERS, **period}, {**NO_FILTERS, "date_to": today - datetime.timedelta(days=1)}]
    sets += [{**NO_FILTERS, "region": region} for region in regions]
    sets += [{**NO_FILTERS, "profile_kind": kind} for kind, _label in ProfileKind.choices]
    sets.append({**period, "region": regions[2], "profile_kind": ProfileKind.IMMIGRANT})
    sets.append({**NO_FILTERS, "date_from": today + datetime.timedelta(days=30)})  # empty
    return sets


def test_every_figure_from_the_rollups_equals_the_live_tables(seeded):
    assert CohortCount.objects.exists() and ReferralFact.objects.exists()
    compared = 0
    for filters in filter_sets():
        for key, reference in direct.TABLES.items():
            expected = reference(**filters).rows
            got = selectors.TABLES[key](**filters).rows
            assert same(got, expected), (key, filters, got, expected)
            compared += sum(len(row) for row in expected)
    assert compared > 1000  # the data set is not empty: the comparison means something


def test_a_rebuild_replaces_the_counts_and_never_adds_to_them(seeded):
    counts = (CohortCount.objects.count(), ReferralFact.objects.count())
    funnel = selectors.funnel(**NO_FILTERS).rows
    statistics_refresh_task()  # the beat task
    assert (CohortCount.objects.count(), ReferralFact.objects.count()) == counts
    assert selectors.funnel(**NO_FILTERS).rows == funnel
    registered = funnel[0][1]
    assert registered == Candidate.objects.filter(submitted_at__isnull=False).count()


@pytest.fixture
def french_after():
    """The test client leaves the last request's language active in this thread."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


def test_the_page_shows_when_its_figures_were_computed_and_changes_at_the_next_rebuild(client, settings, french_after):
    settings.STATS_REFRESH_SECONDS = 600
    territory = TerritoryFactory()
    first = CandidateFactory(target_territory=territory, profile_kind=ProfileKind.IMMIGRANT)
    Candidate.objects.filter(pk=first.pk).update(submitted_at=timezone.now())
    client.force_login(CounsellorFactory())
    url = reverse("stats:statistics")
    response = client.get(url)  # the first visit builds the rollups
    assert "recalculés toutes les 10 minutes" in response.text
    assert selectors.funnel(**NO_FILTERS).rows[0][1] == 1
    second = CandidateFactory(target_territory=territory, profile_kind=ProfileKind.IMMIGRANT)
    Candidate.objects.filter(pk=second.pk).update(submitted_at=timezone.now())
    client.get(url)
    assert selectors.funnel(**NO_FILTERS).rows[0][1] == 1  # as of the last rebuild, as the page says
    rollups.statistics_refresh()
    assert selectors.funnel(**NO_FILTERS).rows[0][1] == 2
    client.cookies["django_language"] = "en"
    response = client.get(url)
    assert "recomputed every 10 minutes" in response.text


def test_rollups_hold_no_personal_data():
    for model in (CohortCount, ReferralFact):
        names = {field.name for field in model._meta.get_fields()}
        assert not names & {"first_name", "last_name", "email", "phone", "candidate", "user"}


def test_the_page_keeps_the_rollup_sections_until_the_next_rebuild(client, french_after):
    territory = TerritoryFactory()
    first = CandidateFactory(target_territory=territory, profile_kind=ProfileKind.IMMIGRANT)
    Candidate.objects.filter(pk=first.pk).update(submitted_at=timezone.now())
    client.force_login(CounsellorFactory())
    url = reverse("stats:statistics")
    statistics_refresh_task()  # rebuilds, then renders the unfiltered sections into the cache

    with CaptureQueriesContext(connection) as kept:
        page = client.get(url).text
    assert not [q for q in kept.captured_queries if "stats_cohortcount" in q["sql"] or "stats_referralfact" in q["sql"]]
    assert 'id="tableau-funnel"' in page and 'id="titre-retention"' in page
    second = CandidateFactory(target_territory=territory, profile_kind=ProfileKind.IMMIGRANT)
    Candidate.objects.filter(pk=second.pk).update(submitted_at=timezone.now())
    assert funnel_of(client.get(url).text) == funnel_of(page)  # as of the last rebuild, as the page says
    rollups.statistics_refresh()  # a new rebuild: new keys, the new figures
    with CaptureQueriesContext(connection) as rebuilt:
        again = client.get(url).text
    assert [q for q in rebuilt.captured_queries if "stats_cohortcount" in q["sql"]]
    assert funnel_of(again) != funnel_of(page)


def funnel_of(page: str) -> str:
    return re.search(r'<section[^>]*aria-labelledby="titre-funnel".*?</section>', page, re.S)[0]


def funnel_section(sections) -> str:
    return next(section for section in sections if 'id="tableau-funnel"' in section)


def test_kept_sections_depend_on_the_filters_the_query_and_the_language(seeded, french_after):
    refresh = rollups.last_refresh()
    region = Region.objects.order_by("code")[2]
    one = {**NO_FILTERS, "region": region}
    every = sections.statistics_sections(refresh=refresh, filters=NO_FILTERS, query="")
    narrowed = sections.statistics_sections(refresh=refresh, filters=one, query=f"region={region.pk}")
    assert funnel_section(every) != funnel_section(narrowed)
    assert sections.statistics_sections(refresh=refresh, filters=one, query=f"region={region.pk}") == narrowed
    assert f"region={region.pk}&amp;export=funnel" in funnel_section(narrowed)
    Region.objects.filter(pk__in=ReferralFact.objects.values("region")).update(name_en="Somewhere in English")
    with translation.override("en"):
        english = sections.statistics_sections(refresh=refresh, filters=NO_FILTERS, query="")
    assert "Somewhere in English" in "".join(english) and "Somewhere in English" not in "".join(every)
    assert "Funnel" in "".join(english) or "funnel" in "".join(english)
