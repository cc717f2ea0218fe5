import datetime
import io

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate, CandidateStatus, ProfileKind
from referrals.models import DeclineReason, FollowUp, FollowUpStep, ReferralStatus
from stats import direct, rollups, selectors
from tests.factories import (
    CandidateFactory,
    CoordinatorFactory,
    CounsellorFactory,
    ReferralFactory,
    RegionFactory,
    TerritoryFactory,
)

pytestmark = pytest.mark.django_db

NO_FILTERS = {"date_from": None, "date_to": None, "region": None, "profile_kind": ""}


def at(day: str, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(day).replace(hour=hour))


def candidate(territory, kind, submitted: str, status=CandidateStatus.NEW, **kwargs) -> Candidate:
    person = CandidateFactory(target_territory=territory, profile_kind=kind, status=status, **kwargs)
    Candidate.objects.filter(pk=person.pk).update(submitted_at=at(submitted))
    return person


def referral(person, territory, status, sent: datetime.datetime, answered: datetime.datetime | None = None, **kw):
    return ReferralFactory(
        candidate=person, territory=territory, status=status, sent_at=sent, answered_at=answered, **kw
    )


def follow_up(ref, step, day: str) -> None:
    FollowUp.objects.create(referral=ref, step=step, occurred_on=datetime.date.fromisoformat(day))


@pytest.fixture(params=["rollups", "direct"])
def source(request):
    """The page's source (the rollups, rebuilt once the data is in place) and the reference
    (the same figures from the live tables): every assertion holds for both."""
    if request.param == "direct":
        return direct
    request.getfixturevalue("known")
    rollups.statistics_refresh()
    return selectors


@pytest.fixture
def known():
    """Five submitted files and a draft, in three regions (see each test for the figures)."""
    region_a, region_b, region_c = (
        RegionFactory(code="01", name_fr="Région A"),
        RegionFactory(code="02", name_fr="Région B"),
        RegionFactory(code="03", name_fr="Région C"),
    )
    ta = TerritoryFactory(region=region_a, name="Territoire A")
    tb = TerritoryFactory(region=region_b, name="Territoire B")
    tc = TerritoryFactory(region=region_c, name="Territoire C")
    counsellor = CounsellorFactory()
    candidate(ta, ProfileKind.IMMIGRANT, "2026-01-10")  # c1: registered only
    candidate(tb, ProfileKind.NATIVE, "2026-01-20", CandidateStatus.COACHING, counsellor=counsellor)  # c2
    c3 = candidate(ta, ProfileKind.IMMIGRANT, "2026-02-05", CandidateStatus.SETTLED, counsellor=counsellor, mature=True)
    r3 = referral(c3, ta, ReferralStatus.ACCEPTED, at("2026-02-10", 10), at("2026-02-10", 14))  # 4 h
    follow_up(r3, FollowUpStep.MOVED, "2026-03-01")
    follow_up(r3, FollowUpStep.SETTLED, "2026-09-01")
    follow_up(r3, FollowUpStep.CHECKIN_12, "2027-03-01")
    c4 = candidate(tb, ProfileKind.NEO_RURAL, "2026-02-15", CandidateStatus.COACHING, counsellor=counsellor)
    referral(
        c4,
        tb,
        ReferralStatus.DECLINED,
        at("2026-02-16", 0),
        at("2026-02-17", 0),
        decline_category=DeclineReason.HOUSING,
    )  # 24 h
    referral(c4, tc, ReferralStatus.EXPIRED, at("2026-02-18"))
    c5 = candidate(ta, ProfileKind.IMMIGRANT, "2026-02-20", CandidateStatus.MOVED, counsellor=counsellor)
    r5 = referral(c5, ta, ReferralStatus.ACCEPTED, at("2026-02-21", 0), at("2026-02-21", 8))  # 8 h
    follow_up(r5, FollowUpStep.MOVED, "2026-03-15")
    follow_up(r5, FollowUpStep.CLOSED, "2026-06-01")
    CandidateFactory(target_territory=ta, status=CandidateStatus.DRAFT)  # not submitted: never counted
    return {"A": region_a, "B": region_b, "C": region_c}


def test_registrations_by_month_and_immigrant_share(source, known):
    table = source.registrations_by_month(**NO_FILTERS)
    # Columns: month, native, néo-rural, immigrant, not given, total, immigrants' share
    assert table.rows == [
        ["2026-01", 1, 0, 1, 0, 2, 0.5],
        ["2026-02", 0, 1, 2, 0, 3, 2 / 3],
        ["Total", 1, 1, 3, 0, 5, 0.6],
    ]


def test_funnel_counts_each_step_and_later_ones(source, known):
    rows = source.funnel(**NO_FILTERS).rows
    assert [row[1] for row in rows] == [5, 4, 4, 3, 3, 2, 2, 1]
    assert [row[2] for row in rows] == [None, 0.8, 1.0, 0.75, 1.0, 2 / 3, 1.0, 0.5]
    assert rows[-1][3] == 0.2


def test_acceptance_and_median_time_by_region_and_territory(source, known):
    by_region = source.acceptance_by_region(**NO_FILTERS).rows
    # sent, accepted, declined, expired, awaiting an answer, acceptance rate, median hours
    assert by_region == [
        ["01 – Région A", 2, 2, 0, 0, 0, 1.0, 6.0],
        ["02 – Région B", 1, 0, 1, 0, 0, 0.0, 24.0],
        ["03 – Région C", 1, 0, 0, 1, 0, None, None],  # no answer: no rate, no median
    ]
    by_territory = source.acceptance_by_territory(**NO_FILTERS).rows
    assert [row[0] for row in by_territory] == ["Territoire A", "Territoire B", "Territoire C"]
    assert by_territory[0][1:] == [2, 2, 0, 0, 0, 1.0, 6.0]


def test_referrals_pending_or_under_review_are_counted_as_awaiting_an_answer(known):
    territory = TerritoryFactory(region=known["C"], name="Territoire C2")
    for status in (ReferralStatus.PENDING, ReferralStatus.UNDER_REVIEW):
        person = candidate(territory, ProfileKind.IMMIGRANT, "2026-02-25", CandidateStatus.REFERRED)
        referral(person, territory, status, at("2026-02-26"))
    rollups.statistics_refresh()
    for source in (direct, selectors):
        rows = {row[0]: row[1:] for row in source.acceptance_by_territory(**NO_FILTERS).rows}
        # sent 2, none answered or expired, both awaiting: no acceptance rate yet
        assert rows["Territoire C2"] == [2, 0, 0, 0, 2, None, None]


def test_decline_reasons(source, known):
    rows = source.decline_reasons(**NO_FILTERS).rows
    assert len(rows) == len(DeclineReason.choices)
    counts = {row[0]: (row[1], row[2]) for row in rows}
    assert counts[str(DeclineReason.HOUSING.label)] == (1, 1.0)
    assert counts[str(DeclineReason.NO_JOBS.label)] == (0, 0.0)


def test_settlements_and_twelve_month_retention(source, known):
    rows = source.settlement_and_retention(**NO_FILTERS, today=datetime.date(2027, 4, 1)).rows
    # moves, settlements, moved 12 months ago or more, checked in at 12 months, retention
    assert rows == [["01 – Région A", 2, 1, 2, 1, 0.5]]
    too_early = source.settlement_and_retention(**NO_FILTERS, today=datetime.date(2026, 12, 1)).rows
    assert too_early == [["01 – Région A", 2, 1, 0, 0, None]]


def test_filters_period_region_and_profile(source, known):
    february = {**NO_FILTERS, "date_from": datetime.date(2026, 2, 1), "date_to": datetime.date(2026, 2, 28)}
    assert source.funnel(**february).rows[0][1] == 3
    assert source.registrations_by_month(**february).rows[0] == ["2026-02", 0, 1, 2, 0, 3, 2 / 3]
    region_a = {**NO_FILTERS, "region": known["A"]}
    assert [row[1] for row in source.funnel(**region_a).rows] == [3, 2, 2, 2, 2, 2, 2, 1]
    assert [row[0] for row in source.acceptance_by_region(**region_a).rows] == ["01 – Région A"]
    immigrants = {**NO_FILTERS, "profile_kind": ProfileKind.IMMIGRANT}
    assert source.funnel(**immigrants).rows[0][1] == 3
    assert source.decline_reasons(**immigrants).rows[1][1:] == [0, None]  # no refusal: 0 / 0


def test_an_empty_period_gives_zeros_and_no_division_by_zero(source, known):
    empty = {**NO_FILTERS, "date_from": datetime.date(2030, 1, 1)}
    assert source.registrations_by_month(**empty).rows == []
    funnel = source.funnel(**empty).rows
    assert [row[1] for row in funnel] == [0] * 8
    assert [row[2] for row in funnel] == [None] * 8
    assert source.acceptance_by_region(**empty).rows == []
    assert source.settlement_and_retention(**empty).rows == []
    assert all(row[1:] == [0, None] for row in source.decline_reasons(**empty).rows)


def test_page_for_staff_only(client, known):
    url = reverse("stats:statistics")
    assert client.get(url).status_code == 302
    client.force_login(CandidateFactory().user)
    assert client.get(url).status_code == 403
    client.force_login(CoordinatorFactory())
    assert client.get(url).status_code == 200
    client.force_login(CounsellorFactory())
    response = client.get(url, {"region": "01", "date_from": "2026-01-01", "date_to": "2026-12-31"})
    assert response.status_code == 200
    assert 'data-chart-columns="1"' in response.text
    assert "6,0" in response.text  # the median in hours, in French


def test_the_download_links_read_in_each_language(client, known):
    client.force_login(CounsellorFactory())
    french = client.get(reverse("stats:statistics")).text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("stats:statistics")).text

    assert "Télécharger :" in french
    assert "Download:" in english and "Download :" not in english


def test_invalid_filters_are_shown_and_ignored(client, known):
    client.force_login(CounsellorFactory())
    response = client.get(reverse("stats:statistics"), {"date_from": "2026-03-01", "date_to": "2026-01-01"})
    assert response.status_code == 200
    assert "La date de début doit précéder la date de fin." in response.text


def test_csv_and_xlsx_exports(client, known):
    from openpyxl import load_workbook

    client.force_login(CounsellorFactory())
    url = reverse("stats:statistics")
    response = client.get(url, {"export": "funnel", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[1] == "Inscrit·e·s,5,,1.0"
    assert lines[2] == "Trié·e·s,4,0.8,0.8"
    response = client.get(url, {"export": "acceptance_regions", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2]] == ["01 – Région A", 2, 2, 0, 0, 0, 1, 6]
    assert client.get(url, {"export": "nope"}).status_code == 404


def test_query_count_does_not_grow_with_the_data(client, known):
    client.force_login(CounsellorFactory())
    url = reverse("stats:statistics")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    territory = TerritoryFactory(region=known["B"])
    for i in range(20):
        person = candidate(territory, ProfileKind.IMMIGRANT, f"2025-{i % 12 + 1:02d}-03")
        referral(person, territory, ReferralStatus.ACCEPTED, at("2025-06-01"), at("2025-06-02"))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    # session, user, the rollups' date, region choices, 2 + 2 + 2 + 1 tables' queries, retention,
    # activities (and their regions' names when there are some)…
    assert len(many) == len(few) <= 16, [q["sql"][:120] for q in many.captured_queries]
