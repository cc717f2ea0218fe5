"""The admin lists of the big tables count no whole table."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates.models import Candidate
from common import admin_pagination
from common.admin_pagination import LargeTablePaginator
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def counts(queries) -> list[str]:
    return [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


def test_an_unfiltered_list_is_estimated_on_postgresql_and_counted_elsewhere(monkeypatch):
    CandidateFactory.create_batch(30, target_territory=False, consents=False)
    monkeypatch.setattr(admin_pagination, "ESTIMATE_ABOVE", 10)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE candidates_candidate")

    with CaptureQueriesContext(connection) as queries:
        count = LargeTablePaginator(Candidate.objects.order_by("pk"), 10).count

    if connection.vendor == "postgresql":
        assert counts(queries) == []
        assert "reltuples" in queries[0]["sql"]
        assert 20 <= count <= 40  # the planner's estimate
    else:
        assert count == 30 and len(counts(queries)) == 1


def test_a_filtered_list_is_counted_exactly(monkeypatch):
    CandidateFactory.create_batch(12, target_territory=False, consents=False, status="coaching")
    CandidateFactory.create_batch(3, target_territory=False, consents=False, status="new")
    monkeypatch.setattr(admin_pagination, "ESTIMATE_ABOVE", 1)

    assert LargeTablePaginator(Candidate.objects.filter(status="new").order_by("pk"), 10).count == 3


@pytest.mark.parametrize(
    "url",
    [
        "/admin/candidates/candidate/?status__exact=new",
        "/admin/candidates/candidate/?q=Tremblay",
        "/admin/accounts/user/?q=tremblay",
        "/admin/candidates/candidateevent/",
        "/admin/referrals/referral/",
        "/admin/notifications/outboxemail/",
    ],
)
def test_admin_changelists_of_big_tables_count_at_most_the_filtered_rows(admin_client, url):
    CandidateFactory.create_batch(3, last_name="Tremblay")

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url)

    assert response.status_code == 200
    assert len(counts(queries)) <= 1  # the paginator's; never the "N total" of the whole table
