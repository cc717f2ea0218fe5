"""common.statements: a named queryset's SQL compiled once per process, its WHERE on each run."""

import pytest
from django.db import connection
from django.db.models import Count, Prefetch, Value
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.models import Candidate, CandidateTarget
from common import statements
from common.statements import StatementMismatch, compiled_once
from referrals.models import Referral
from tests.factories import CandidateFactory, CounsellorFactory, ReferralFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_compilations(monkeypatch):
    """How many times Django built a SELECT's columns in full (SQLCompiler.setup_query), with the
    reuse checks of the test suite off, as in production."""
    monkeypatch.setattr(statements, "VERIFY", False)
    statements.clear()
    calls = []
    original = SQLCompiler.setup_query

    def counted(self, *args, **kwargs):
        calls.append(getattr(self.query, "statement_name", ""))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "setup_query", counted)
    yield calls
    statements.clear()


def referrals():
    return Referral.objects.select_related("territory__region", "sent_by", "answered_by").order_by("pk")


def shown(referral: Referral) -> tuple:
    return (referral.pk, referral.candidate_id, referral.status, referral.territory.name, referral.sent_by.email)


def test_a_statement_is_compiled_once_and_reused_with_each_runs_parameters(full_compilations):
    first, second = ReferralFactory(), ReferralFactory()

    for referral in (first, second, first):
        rows = list(compiled_once(referrals(), "t.referrals").filter(candidate=referral.candidate))
        assert [shown(row) for row in rows] == [shown(referral)]

    assert full_compilations.count("t.referrals") == 1


def test_rows_read_through_a_reused_statement_are_those_django_reads(full_compilations):
    territory = TerritoryFactory()
    for _ in range(3):
        candidate = CandidateFactory(target_territory=territory)
        ReferralFactory(candidate=candidate, territory=territory)
    candidates = Candidate.objects.order_by("pk").prefetch_related(
        Prefetch("referrals", queryset=compiled_once(referrals(), "t.prefetch"))
    )

    for _ in range(2):  # compiled, then reused
        seen = [(c.pk, [shown(r) for r in c.referrals.all()]) for c in compiled_once(candidates, "t.candidates")]
        plain = [(c.pk, [shown(r) for r in c.referrals.all()]) for c in Candidate.objects.order_by("pk")]
        assert seen == plain and len(seen) == 3


def test_another_number_of_ids_another_filter_or_ordering_is_compiled_apart(full_compilations):
    made = [ReferralFactory() for _ in range(3)]
    ids = [referral.pk for referral in made]
    named = compiled_once(referrals(), "t.shapes")

    assert [r.pk for r in named.filter(pk__in=ids[:1])] == ids[:1]
    assert [r.pk for r in named.filter(pk__in=ids[:2])] == ids[:2]
    assert [r.pk for r in named.filter(pk__in=ids).order_by("-pk")] == ids[::-1]
    assert [r.pk for r in named.filter(pk__in=ids)[1:]] == ids[1:]
    assert [r.pk for r in named.filter(pk__in=ids, status="pending").exclude(pk=ids[0])] == ids[1:]
    assert [r.pk for r in named.filter(pk__in=ids).select_related(None)] == ids
    assert named.filter(pk__in=ids).first().pk == ids[0]
    assert full_compilations.count("t.shapes") == 7

    assert named.filter(pk__in=[ids[2], ids[1], 0]).first().pk == ids[1]
    assert full_compilations.count("t.shapes") == 7  # the same shape, other ids: reused


def test_count_exists_values_and_aggregates_are_compiled_as_django_does():
    """With the suite's check on (tests/conftest.py): any reuse is compared with Django's SQL."""
    made = [ReferralFactory() for _ in range(3)]
    named = compiled_once(referrals(), "t.other").filter(pk__in=[r.pk for r in made])
    list(named)

    for _ in range(2):  # compiled, then reused where it can be
        assert named.count() == 3
        assert named.exists() is True
        assert named.filter(pk=0).exists() is False
        assert sorted(named.values_list("pk", flat=True)) == sorted(r.pk for r in made)
        assert named.values("status").annotate(n=Count("pk")).get()["n"] == 3
        assert Candidate.objects.filter(referrals__in=named).count() == 3  # as a subquery
    assert named.update(message="x") == 3


def test_a_locking_read_is_compiled_every_time(full_compilations):
    """Django checks the transaction as it compiles a select_for_update()."""
    referral = ReferralFactory()
    named = compiled_once(referrals(), "t.locked").filter(pk=referral.pk).select_for_update(of=("self",))

    assert [r.pk for r in named.all()] == [referral.pk]
    assert [r.pk for r in named.all()] == [referral.pk]
    assert full_compilations.count("t.locked") == 2


def test_a_select_lists_parameters_are_reused_only_for_equal_annotations(full_compilations):
    """The queue's rows carry annotations with fixed parameters: their statement is compiled once.
    An annotation with another value gets its own parameters, never the kept ones."""
    referral = ReferralFactory()

    def labelled(label: str):
        return compiled_once(referrals().annotate(label=Value(label)), "t.annotated").filter(pk=referral.pk)

    for _ in range(3):
        assert labelled("étiquette").get().label == "étiquette"
    assert full_compilations.count("t.annotated") == 1

    assert labelled("autre").get().label == "autre"
    assert labelled("étiquette").get().label == "étiquette"
    assert full_compilations.count("t.annotated") == 2


def test_a_query_with_parameters_elsewhere_is_never_reused(full_compilations):
    """extra()'s select parameters are not in the statement's key: compiled every time."""
    referral = ReferralFactory()
    for label in ("un", "deux", "trois"):
        named = compiled_once(referrals().extra(select={"label": "%s"}, select_params=(label,)), "t.extra")
        assert named.get(pk=referral.pk).label == label

    assert full_compilations.count("t.extra") == 3


def test_an_empty_in_is_answered_without_a_query(full_compilations):
    named = compiled_once(referrals(), "t.empty")

    with CaptureQueriesContext(connection) as queries:
        assert list(named.filter(pk__in=[])) == []

    assert len(queries) == 0


def test_a_reused_statement_that_differs_from_django_s_fails_under_verify(monkeypatch):
    statements.clear()
    referral = ReferralFactory()
    named = compiled_once(referrals(), "t.verified")
    list(named.filter(pk=referral.pk))
    key = next(key for key in statements._STATEMENTS if key[0] == "t.verified")
    kept = statements._STATEMENTS[key]
    statements._STATEMENTS[key] = statements._Statement(
        kept.sql.replace("ORDER BY", "ORDER BY 1,"), kept.select, kept.klass_info, None, kept.col_count, False
    )
    monkeypatch.setattr(statements, "VERIFY", True)

    with pytest.raises(StatementMismatch):
        list(named.filter(pk=referral.pk))
    statements.clear()


def test_only_a_plain_query_can_be_compiled_once():
    from django.db.models.sql.query import Query

    class OtherQuery(Query):
        pass

    queryset = Referral.objects.all()
    queryset.query.__class__ = OtherQuery

    with pytest.raises(TypeError):
        compiled_once(queryset, "t.update")
    assert compiled_once(compiled_once(Referral.objects.all(), "a"), "b").query.statement_name == "b"


def test_the_second_opening_of_a_file_compiles_none_of_the_file_s_reads(client, full_compilations):
    counsellor = CounsellorFactory()
    territory = TerritoryFactory()
    candidate = CandidateFactory(target_territory=territory, status="coaching", counsellor=counsellor)
    ReferralFactory(candidate=candidate, territory=territory, status="declined")
    CandidateTarget.objects.filter(candidate=candidate).update(rank=1)
    client.force_login(counsellor)
    url = reverse("counselling:file", args=[candidate.pk])

    assert client.get(url).status_code == 200
    first = [name for name in full_compilations if name.startswith(("file.", "candidate.", "referral."))]
    full_compilations.clear()
    assert client.get(url).status_code == 200

    # The first opening compiled the file, its targets, consents, events, notes, proposals,
    # referrals, follow-ups, access log, target agents and colleagues; the second none of them.
    assert len(first) >= 10
    assert [name for name in full_compilations if name] == []


def test_the_queues_rows_are_compiled_once_per_tab_filter_and_page(client, full_compilations):
    """Their statement carries the rows' per-row subqueries, with fixed parameters (the kinds of
    event a wait counts from, the separators of the target ranks)."""
    counsellor = CounsellorFactory()
    for _ in range(3):
        CandidateFactory(status="coaching", counsellor=counsellor)
    client.force_login(counsellor)

    for query in ("?vue=tous", "?vue=tous&q=a", "?vue=tous&q=e"):
        assert client.get(reverse("counselling:queue") + query).status_code == 200
    # one for the tab, one for a search of one word, whatever the word
    assert full_compilations.count("queue.page") == 2
    # the tab's count, once; a search is not counted
    assert full_compilations.count("queue.count") == 1


@pytest.mark.parametrize("cap", [2, 5, None])
def test_a_count_compiled_once_is_django_s_count(full_compilations, cap):
    counsellor = CounsellorFactory()
    for status in ("new", "new", "coaching", "coaching", "mature"):
        CandidateFactory(status=status, counsellor=counsellor)
    files = Candidate.objects.order_by("submitted_at", "id").values("pk")
    cases = [
        files,
        files.filter(status="new"),
        files.filter(status="coaching", counsellor=counsellor),
        files.filter(status="closed"),  # none
        files.filter(pk__in=[]),  # nothing to ask the database
    ]
    for queryset in cases:
        capped = queryset[:cap] if cap else queryset
        assert statements.counted_once(capped, "t.count") == capped.count()
        assert statements.counted_once(capped, "t.count") == capped.count()  # reused

    # each filtered shape once (2); a read without a WHERE, and the empty IN, in full each time (2 + 2)
    assert full_compilations.count("t.count") == 6


def test_a_count_is_one_query(django_assert_num_queries):
    CandidateFactory()
    with django_assert_num_queries(1):
        assert statements.counted_once(Candidate.objects.values("pk")[:10], "t.count") == 1
