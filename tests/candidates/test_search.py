"""The queue's search (CandidateQuerySet.search, candidates/models/search.py): every word in the
first name, the last name or the email. On PostgreSQL, when the trigram indexes find few files
for the words, the list is read for those files' ids through the primary key, not by walking
every file in submission order (216 ms at 100,000 files for a name no file holds, issue 17)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates.models import Candidate
from candidates.models import search as search_module
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db
POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def people():
    CandidateFactory(first_name="Amina", last_name="Diallo", email="amina.d@exemple.org")
    CandidateFactory(first_name="Jean", last_name="Tremblay", email="jt@example.org")
    CandidateFactory(first_name="Marie", last_name="Tremblay", email="marie@example.org")
    CandidateFactory(first_name="Li", last_name="Tremblay-Ng", email="li@example.org")


def _found(text: str) -> set[str]:
    return set(Candidate.objects.search(text).values_list("first_name", flat=True))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("diallo", {"Amina"}),
        ("AMINA.D@exemple", {"Amina"}),
        ("tremblay", {"Jean", "Marie", "Li"}),
        ("tremblay marie", {"Marie"}),
        ("li tremblay", {"Li"}),  # a word too short for a trigram narrows the list, not the probe
        ("ng", {"Li"}),  # only short words: no probe
        ("zzz", set()),
        ("nobody tremblay", set()),
    ],
)
def test_a_search_lists_the_files_holding_every_word(people, text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize("limit", [0, 1, 2, 3, 500])
def test_the_list_is_the_same_whatever_the_probe_finds(people, monkeypatch, limit):
    """Above PROBE_LIMIT the probe gives way to the walk; at or under it the ids narrow the list:
    either way the same files."""
    monkeypatch.setattr(search_module, "PROBE_LIMIT", limit)

    assert _found("tremblay") == {"Jean", "Marie", "Li"}
    assert _found("example") == {"Jean", "Marie", "Li"}
    assert _found("diallo") == {"Amina"}


def _queries(text: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        list(Candidate.objects.open_files().search(text).order_by("submitted_at", "pk")[:51])
    return [query["sql"] for query in queries.captured_queries]


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: the plan for many
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_few_matches_are_read_by_their_ids_through_the_primary_key(people):
    queries = _queries("tremblay")

    if not POSTGRES:  # no trigram index: one query, the words filtered as they are
        assert len(queries) == 1 and "LIKE" in queries[0] and "ANY(" not in queries[0]
        return
    probe, page = queries
    assert "LIKE" in probe and "ANY(" not in probe
    assert '"candidates_candidate"."id" = ANY(' in page
    query = Candidate.objects.open_files().search("tremblay").order_by("submitted_at", "pk")[:51].query
    plan = _plan(*query.sql_with_params())
    # An index searched for the ids (the primary key, on a handful of rows maybe another that
    # holds the id), not the submission order walked.
    assert "Index Cond: (id = ANY (" in plan and "candidate_submitted" not in plan, plan


def test_many_matches_are_walked_in_submission_order_and_none_is_no_page(people, monkeypatch):
    monkeypatch.setattr(search_module, "PROBE_LIMIT", 2)

    many, none = _queries("tremblay"), _queries("nobody")  # 3 matches: more than the probe keeps

    assert "ANY(" not in many[-1] and "LIKE" in many[-1]
    # On PostgreSQL the probe, then the walk; a probe that found none leaves no page to read.
    assert (len(many), len(none)) == ((2, 1) if POSTGRES else (1, 1))
