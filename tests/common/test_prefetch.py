"""common.prefetch.read_related: for one object, what Django's prefetch_related_objects leaves, in
as many statements, with less work."""

import datetime

import pytest
from django.db import connection
from django.db.models import Prefetch, prefetch_related_objects
from django.test.utils import CaptureQueriesContext

from candidates.models import Candidate, CandidateEvent, CandidateTarget
from common.prefetch import read_related
from referrals.models import FollowUp, FollowUpStep, Referral, ReferralStatus
from territories.models import Agent
from tests.factories import AgentFactory, CandidateFactory, CounsellorFactory, ReferralFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


def events():
    return Prefetch("events", queryset=CandidateEvent.objects.select_related("actor").order_by("-pk"))


def referrals_with_follow_ups():
    follow_ups = Prefetch("follow_ups", queryset=FollowUp.objects.order_by("step"))
    return Prefetch("referrals", queryset=Referral.objects.select_related("territory").prefetch_related(follow_ups))


@pytest.fixture
def two_files():
    """Two files, each with its events, referrals and follow-ups: a read that mixed them up would
    show the other's rows."""
    counsellor = CounsellorFactory()
    files = []
    for n in range(2):
        candidate = CandidateFactory()
        for kind in (CandidateEvent.Kind.REGISTERED, CandidateEvent.Kind.STATUS_CHANGED):
            CandidateEvent.objects.create(candidate=candidate, kind=kind, actor=counsellor, note=f"{n}-{kind}")
        for territory, status in ((candidate.first_target, ReferralStatus.DECLINED), (TerritoryFactory(), None)):
            referral = ReferralFactory(candidate=candidate, territory=territory, sent_by=counsellor)
            if status:
                Referral.objects.filter(pk=referral.pk).update(status=status)
            for step in (FollowUpStep.FIRST_CONTACT, FollowUpStep.SETTLED)[: n + 1]:
                FollowUp.objects.create(referral=referral, step=step, occurred_on=datetime.date(2026, 11, 2))
        files.append(candidate)
    return files


def shown(candidate: Candidate) -> dict:
    """What a page reads of the relations, as Django's prefetch leaves them."""
    return {
        "events": [(e.pk, e.kind, e.note, e.actor.email) for e in candidate.events.all()],
        "referrals": [
            (r.pk, r.territory.name, [(f.pk, f.step) for f in r.follow_ups.all()]) for r in candidate.referrals.all()
        ],
        "targets": [(t.pk, t.territory_id) for t in candidate.targets.all()],
    }


def test_it_leaves_what_djangos_prefetch_leaves_in_as_many_statements(two_files):
    lookups = (events(), referrals_with_follow_ups(), "targets")
    for pk in (two_files[0].pk, two_files[1].pk):
        expected = Candidate.objects.get(pk=pk)
        with CaptureQueriesContext(connection) as django_reads:
            prefetch_related_objects([expected], *lookups)
        candidate = Candidate.objects.get(pk=pk)
        with CaptureQueriesContext(connection) as reads:
            read_related(candidate, *lookups)

        assert len(reads) == len(django_reads) == 4  # events, referrals, their follow-ups, targets
        with CaptureQueriesContext(connection) as later:
            assert shown(candidate) == shown(expected)
            assert all(event.candidate is candidate for event in candidate.events.all())
            assert all(r.candidate is candidate for r in candidate.referrals.all())
        assert len(later) == 0, "the rows, their joins, their follow-ups and back-references are read"


def test_a_shared_lookup_stays_as_it_was(two_files):
    """The manager's filter goes on a copy of the lookup's queryset: read for one file, the lookup
    still reads every file's rows for the next."""
    lookup = events()
    for candidate in two_files:
        candidate = Candidate.objects.get(pk=candidate.pk)
        read_related(candidate, lookup)
        assert {event.candidate_id for event in candidate.events.all()} == {candidate.pk}
        assert len(candidate.events.all()) == 2
    assert lookup.queryset.count() == CandidateEvent.objects.count()


def test_a_further_filter_reads_that_files_rows_only(two_files):
    candidate = Candidate.objects.get(pk=two_files[0].pk)
    read_related(candidate, events())

    kept = candidate.events.all()
    assert kept._result_cache is not None
    with CaptureQueriesContext(connection) as reads:
        registered = list(candidate.events.filter(kind=CandidateEvent.Kind.REGISTERED))
    assert len(reads) == 1
    assert [event.note for event in registered] == [f"0-{CandidateEvent.Kind.REGISTERED}"]


def test_a_relation_already_read_is_not_read_again(two_files):
    candidate = Candidate.objects.prefetch_related(events()).get(pk=two_files[0].pk)
    with CaptureQueriesContext(connection) as reads:
        read_related(candidate, events())
    assert len(reads) == 0


def test_what_it_does_not_read_itself_is_left_to_django(two_files):
    """Through another relation, into an attribute, or forward: Django's prefetch, same result."""
    candidate = Candidate.objects.get(pk=two_files[1].pk)
    target_id = two_files[1].first_target.pk
    read_related(
        candidate,
        Prefetch("targets", queryset=CandidateTarget.objects.select_related("territory")),
        "referrals__follow_ups",
        Prefetch(
            "events", queryset=CandidateEvent.objects.filter(kind=CandidateEvent.Kind.REGISTERED), to_attr="first"
        ),
    )
    with CaptureQueriesContext(connection) as later:
        assert [t.territory.pk for t in candidate.targets.all()] == [target_id]
        assert [len(r.follow_ups.all()) for r in candidate.referrals.all()] == [2, 2]
        assert [event.kind for event in candidate.first] == [CandidateEvent.Kind.REGISTERED]
    assert len(later) == 0


def test_a_many_to_many_relation_is_left_to_django():
    """Its descriptor is a subclass of the one read here; its manager filters through a join."""
    territories = [TerritoryFactory(), TerritoryFactory()]
    agent = Agent.objects.get(pk=AgentFactory(territories=territories).pk)
    read_related(agent, "territories")
    with CaptureQueriesContext(connection) as later:
        assert sorted(t.pk for t in agent.territories.all()) == sorted(t.pk for t in territories)
    assert len(later) == 0


def events_statement(reads) -> str:
    (sql,) = [query["sql"] for query in reads.captured_queries if "candidates_candidateevent" in query["sql"]]
    return sql


@pytest.mark.parametrize("read", ["get", "first"])
def test_a_read_that_finds_one_file_reads_its_prefetches_straight(two_files, read):
    """Candidate's and Referral's querysets (ReadsOneStraight): the events by the file's key, as
    its manager reads them, not by a list of files."""
    queryset = Candidate.objects.prefetch_related(events(), "targets").filter(pk=two_files[0].pk)
    with CaptureQueriesContext(connection) as reads:
        candidate = queryset.get() if read == "get" else queryset.first()
    assert " IN (" not in events_statement(reads)
    expected = Candidate.objects.get(pk=two_files[0].pk)
    prefetch_related_objects([expected], events(), "targets")
    with CaptureQueriesContext(connection) as later:
        assert [(e.pk, e.note, e.actor.email) for e in candidate.events.all()] == [
            (e.pk, e.note, e.actor.email) for e in expected.events.all()
        ]
        assert [t.pk for t in candidate.targets.all()] == [t.pk for t in expected.targets.all()]
    assert len(later) == 0


def test_a_read_that_finds_several_files_is_djangos(two_files):
    with CaptureQueriesContext(connection) as reads:
        candidates = list(Candidate.objects.prefetch_related(events()).order_by("pk"))
    assert " IN (" in events_statement(reads)
    assert [{e.candidate_id for e in c.events.all()} for c in candidates] == [{c.pk} for c in two_files]


def test_a_referral_found_alone_reads_its_follow_ups_straight(two_files):
    referral = Referral.objects.filter(candidate=two_files[1]).order_by("pk").last()
    with CaptureQueriesContext(connection) as reads:
        found = Referral.objects.prefetch_related("follow_ups", "candidate__events").get(pk=referral.pk)
    (follow_ups,) = [q["sql"] for q in reads.captured_queries if "referrals_followup" in q["sql"]]
    assert " IN (" not in follow_ups
    with CaptureQueriesContext(connection) as later:
        assert [f.step for f in found.follow_ups.all()] == [FollowUpStep.FIRST_CONTACT, FollowUpStep.SETTLED]
        assert len(found.candidate.events.all()) == 2
    assert len(later) == 0
