"""A search's page is planned for its words (common.planning): psycopg prepares a statement run a
fifth time on a connection, and the plan PostgreSQL keeps for a prepared search walked every file
in submission order when the words matched few, or none (1.2 s a page at 1,000,000 files for a
person's first and last names, issue 17). The page's statement is now never prepared; the rest
of the queue's statements still are."""

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


def _is_page(statement: str) -> bool:
    return 'FROM "candidates_candidate"' in statement and "LIKE" in statement and "ORDER BY" in statement


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


def test_the_page_of_a_search_is_never_prepared_and_the_tabs_still_are(client, counsellor):
    CandidateFactory(first_name="Jean", last_name="Tremblay")
    client.force_login(counsellor)

    for _ in range(8):
        client.get(QUEUE, {"vue": "tous", "q": "tremblay"})
        client.get(QUEUE, {"vue": "tous"})

    if POSTGRES:
        prepared = _prepared_statements()
        assert not [statement for statement in prepared if _is_page(statement)], prepared
        # The tab's own page (no search) is prepared as before.
        assert [s for s in prepared if 'FROM "candidates_candidate"' in s and "ORDER BY" in s and "LIKE" not in s]


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
