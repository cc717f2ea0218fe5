"""Never more registrants than seats, under real concurrency: people registering for the last
seats at the same moment, and a person cancelling while others register. Real threads, each with
its own database connection, released together by a barrier (tests/referrals/test_lock_order.py's
pattern). It runs in both of CI's passes: on PostgreSQL the activity's row lock (SELECT … FOR
UPDATE) is what keeps the count right (without it, this test fails there: checked by removing
the lock); on SQLite the single writer serializes them. Nothing skips: under CI=true, .ci/run
stops when PostgreSQL does not answer, so the PostgreSQL pass always runs."""

import threading
from collections.abc import Callable

import pytest
from django.db import close_old_connections, connection

from activities.errors import ActivityError
from activities.models import Registration, RegistrationStatus
from activities.services import registration_cancel, registration_create
from tests.factories import CandidateFactory

from .factories import ActivityFactory

ROUNDS = 5
PEOPLE = 8
SEATS = 3


def race(*actions: Callable[[], object]) -> tuple[int, list[str], list[BaseException]]:
    barrier = threading.Barrier(len(actions))
    done: list[int] = []
    refused: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            action()
            with lock:
                done.append(1)
        except ActivityError as error:
            with lock:
                refused.append(str(error))
        except BaseException as error:
            with lock:
                errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return len(done), refused, errors


def seats_held(activity) -> int:
    return Registration.objects.filter(activity=activity, status=RegistrationStatus.REGISTERED).count()


@pytest.mark.django_db(transaction=True)
def test_people_registering_at_once_never_exceed_the_seats():
    for _ in range(ROUNDS):
        activity = ActivityFactory(capacity=SEATS)
        people = [CandidateFactory() for _ in range(PEOPLE)]

        done, refused, errors = race(
            *(
                lambda person=person, activity=activity: registration_create(activity=activity, candidate=person)
                for person in people
            )
        )

        assert not errors, errors
        assert not refused and done == PEOPLE
        assert seats_held(activity) == SEATS
        waiting = Registration.objects.filter(activity=activity, status=RegistrationStatus.WAITING)
        assert waiting.count() == PEOPLE - SEATS
        assert waiting.filter(waiting_since__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_cancellation_while_others_register_gives_the_seat_to_one_person():
    for _ in range(ROUNDS):
        activity = ActivityFactory(capacity=SEATS)
        holders = [registration_create(activity=activity, candidate=CandidateFactory()) for _ in range(SEATS)]
        newcomers = [CandidateFactory() for _ in range(4)]

        _done, refused, errors = race(
            lambda held=holders[0]: registration_cancel(registration=held, by=None),
            *(
                lambda person=person, activity=activity: registration_create(activity=activity, candidate=person)
                for person in newcomers
            ),
        )

        assert not errors, errors
        assert not refused
        assert seats_held(activity) == SEATS  # the freed seat went to exactly one person
        assert Registration.objects.filter(activity=activity, status=RegistrationStatus.WAITING).count() == 3
