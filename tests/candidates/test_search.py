"""The search for files (CandidateQuerySet.search, the queue's and the admin's): every word in the
first name, the last name or the email, whatever the case; on PostgreSQL one trigram index finds
the files that hold all the words in one scan (migration 0022, issue 17)."""

import pytest
from django.db import connection

from candidates.models import Candidate
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    CandidateFactory(first_name="Marie", last_name="Tremblay", email="m.tremblay@exemple.org")
    CandidateFactory(first_name="Jean", last_name="Tremblay", email="jean_t@exemple.org")
    CandidateFactory(first_name="Amina", last_name="Diallo", email="amina@exemple.org")
    CandidateFactory(first_name="Jeanne", last_name="Roy", email="jeanxt@exemple.org")


def found(text: str) -> set[str]:
    return set(Candidate.objects.search(text).values_list("first_name", flat=True))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tremblay", {"Marie", "Jean"}),
        ("TREMBLAY marie", {"Marie"}),
        ("marie tremblay", {"Marie"}),
        ("jean", {"Jean", "Jeanne"}),
        ("jean tremblay", {"Jean"}),
        ("amina@exemple", {"Amina"}),  # in the email
        ("diallo exemple.org", {"Amina"}),  # one word in the name, the other in the email
        ("jean_t", {"Jean"}),  # "_" is a character, not any character ("jeanxt")
        ("%", set()),
        ("marietremblay", set()),  # the first name and the last name are not one word
        ("tremblay m.tremblay", {"Marie"}),
        ("zzz", set()),
    ],
)
def test_every_word_is_found_in_the_names_or_the_email(people, text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text", ["", "   "])
def test_no_word_leaves_the_files_as_they_are(people, text):
    # The admins and the queue's filter pass a blank box straight through (no guard of their own).
    assert found(text) == {"Marie", "Jean", "Amina", "Jeanne"}


@pytest.mark.parametrize("url", ["/admin/candidates/candidate/", "/admin/privacy/personfile/"])
def test_the_admins_list_every_file_for_a_blank_search(admin_client, people, url):
    response = admin_client.get(url, {"q": "  "})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 4


def test_the_admin_searches_the_same_way(admin_client, people):
    response = admin_client.get("/admin/candidates/candidate/", {"q": "tremblay marie"})

    assert [row.first_name for row in response.context["cl"].result_list] == ["Marie"]


def test_one_index_scan_finds_the_files_holding_every_word(people):
    sql, params = Candidate.objects.search("marie tremblay").values("pk").query.sql_with_params()

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: the plan for many
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            # Both words in the one index's condition: no list of every file holding one word, no
            # intersection of such lists (the three indexes of migration 0004, one a column).
            assert plan.count("Bitmap Index Scan on candidate_person_trgm") == 1, plan
            assert "'%MARIE%'" in plan and "'%TREMBLAY%'" in plan and "BitmapAnd" not in plan, plan
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'candidate_%_trgm'")
            indexes = cursor.fetchall()
            assert [name for name, _ in indexes] == ["candidate_person_trgm"]
            # No pending list for every search to read whole (migration 0022).
            assert indexes[0][1].endswith("WITH (fastupdate=off)"), indexes
        else:
            cursor.execute(sql, params)
            assert len(cursor.fetchall()) == 1
