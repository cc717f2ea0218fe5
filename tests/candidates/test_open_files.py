"""The open files (CandidateQuerySet.open_files): every status but a draft and a closed file, and
named so that the database finds them through its status indexes. As `NOT IN (draft, closed)` no
index could be searched for them: the queue's capped count walked an index past every closed
file of a profile first (3.8 ms at 1,000,000 files, 0.28 as `IN`: issue 17)."""

import pytest
from django.db import connection

from candidates.models import Candidate, CandidateStatus
from candidates.models.files import OPEN_STATUSES
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def test_every_status_but_a_draft_and_a_closed_file_is_open():
    for status in CandidateStatus:
        CandidateFactory(first_name=status.value, status=status)

    open_names = set(Candidate.objects.open_files().values_list("first_name", flat=True))

    assert open_names == {s.value for s in CandidateStatus} - {CandidateStatus.DRAFT, CandidateStatus.CLOSED}
    assert set(OPEN_STATUSES) == open_names


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: the plan for many
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_the_queue_count_searches_a_status_index_for_the_open_files():
    CandidateFactory.create_batch(3, status=CandidateStatus.COACHING)
    CandidateFactory(status=CandidateStatus.CLOSED)
    capped = Candidate.objects.open_files().order_by().values("pk")[:1001]  # as QueuePage counts "Tous"
    sql, params = capped.query.sql_with_params()

    plan = _plan(sql, params)

    if connection.vendor == "postgresql":
        # An index searched for the statuses, not one read whole with the statuses filtered.
        assert "Index Cond: ((status)::text = ANY (" in plan, plan
    else:
        assert "USING COVERING INDEX candidate_status_" in plan and "(status=?)" in plan, plan
