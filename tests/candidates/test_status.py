"""The file's status as a state machine: every move the table allows is made and logged, every
other one is refused and changes nothing; the rules other services use derive from the table."""

import itertools

import pytest

from candidates.choices import CandidateStatus as S
from candidates.choices import EventCode
from candidates.models import CandidateEvent
from candidates.services import (
    CLOSABLE_STATUSES,
    HOLDABLE_STATUSES,
    REFERABLE_STATUSES,
    TAKEN_ON_STATUSES,
    TRANSITIONS,
    StatusTransitionError,
    candidate_set_status,
)
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db

ALLOWED = [(source, target) for source, targets in TRANSITIONS.items() for target in sorted(targets)]
REFUSED = [
    (source, target) for source, target in itertools.permutations(S.values, 2) if target not in TRANSITIONS[source]
]


def test_the_table_covers_every_status():
    assert set(TRANSITIONS) == set(S.values)
    assert TRANSITIONS[S.CLOSED] == frozenset()  # closing is final
    assert all(S.CLOSED in targets for status, targets in TRANSITIONS.items() if status != S.CLOSED)


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_each_allowed_move_is_made_and_logged(counsellor, source, target):
    candidate = CandidateFactory(status=source)

    event = candidate_set_status(candidate=candidate, to=target, by=counsellor, code=EventCode.CLOSED, note="n")

    candidate.refresh_from_db()
    assert candidate.status == target
    assert (event.from_status, event.to_status, event.actor, event.code, event.note) == (
        source,
        target,
        counsellor,
        EventCode.CLOSED,
        "n",
    )


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_every_other_move_is_refused_and_changes_nothing(counsellor, source, target):
    candidate = CandidateFactory(status=source)

    with pytest.raises(StatusTransitionError, match="ne peut pas passer"):
        candidate_set_status(candidate=candidate, to=target, by=counsellor)

    candidate.refresh_from_db()
    assert candidate.status == source
    assert not CandidateEvent.objects.filter(candidate=candidate).exists()


def test_staying_in_the_same_status_records_nothing(counsellor):
    candidate = CandidateFactory(status=S.COACHING)

    assert candidate_set_status(candidate=candidate, to=S.COACHING, by=counsellor) is None
    assert not candidate.events.exists()


def test_the_rules_derive_from_the_table():
    assert {S.NEW, S.COACHING} == REFERABLE_STATUSES
    assert {S.NEW, S.COACHING, S.REFERRED, S.TAKEN_ON} == HOLDABLE_STATUSES
    assert set(S.values) - {S.DRAFT, S.CLOSED} == CLOSABLE_STATUSES
    assert {S.COACHING, S.REFERRED, S.TAKEN_ON, S.MOVED, S.SETTLED, S.ON_HOLD} == TAKEN_ON_STATUSES
