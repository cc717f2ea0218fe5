"""A filtered list's statements are planned for their values (common.planning): psycopg prepares a
statement run a fifth time on a connection, and the plan PostgreSQL keeps for a prepared search
walked every file in submission order when the words matched few, or none (1.2 s a page at
1,000,000 files for a person's first and last names, issue 17); an arrival date that few files
have, the same (157 ms at 100,000). A filtered list's count and page are now never prepared; a
tab's own statements still are."""

import pytest
from django.db import connection
from django.urls import reverse

from common.planning import planned_for_values
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("counselling:queue")
POSTGRES = connection.vendor == "postgresql"


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("diallo", {"Amina"}), ("TREMBLAY", {"Jean", "Marie"}), ("marie tremblay", {"Marie"}), ("nobody", set())],
)
def test_a_search_run_again_and_again_lists_the_same_files(client, counsellor, text, expected):
    CandidateFactory(first_name="Amina", last_name="Diallo")
    CandidateFactory(first_name="Jean", last_name="Tremblay")
    CandidateFactory(first_name="Marie", last_name="Tremblay")
    client.force_login(counsellor)

    for _ in range(8):  # past psycopg's prepare threshold (5)
        response = client.get(QUEUE, {"vue": "tous", "q": text})
        assert {candidate.first_name for candidate in response.context["page"]} == expected


@pytest.mark.parametrize(
    ("filters", "marker"),
    [
        ({"q": "tremblay"}, "LIKE"),
        ({"arrivee_au": "2020-01-01"}, '"arrival_date"'),
        ({"statut": "new"}, '"status" = $'),
    ],
)
def test_a_filtered_list_is_never_prepared_and_a_tab_still_is(client, counsellor, filters, marker):
    CandidateFactory(first_name="Jean", last_name="Tremblay")
    client.force_login(counsellor)

    for _ in range(8):  # past psycopg's prepare threshold (5)
        assert client.get(QUEUE, {"vue": "tous", **filters}).status_code == 200
        assert client.get(QUEUE, {"vue": "tous"}).status_code == 200

    if POSTGRES:
        prepared = [s for s in _prepared_statements() if 'FROM "candidates_candidate"' in s]
        assert not [statement for statement in prepared if marker in statement], prepared
        # The tab's own page and count (no filter) are prepared as before.
        assert len([statement for statement in prepared if "ORDER BY" in statement]) >= 1, prepared


def test_the_threshold_comes_back_whatever_happens_inside():
    if not POSTGRES:
        with planned_for_values():  # nothing to change
            assert connection.vendor == "sqlite"
        return
    connection.ensure_connection()
    before = connection.connection.prepare_threshold

    with pytest.raises(ZeroDivisionError), planned_for_values():
        assert connection.connection.prepare_threshold is None
        1 / 0  # noqa: B018

    assert before is not None and connection.connection.prepare_threshold == before
