"""The platform's one lock order (the file, then its referrals) under real concurrency: a person
withdrawing their sharing consent while an agent accepts, and a counsellor merging two files while
an agent declines the referral of one. Real threads, each with its own database connection,
released together by a barrier, ten rounds each. On PostgreSQL two changes that locked the same
rows in opposite orders would deadlock ("deadlock detected", a 500 for one of the two people);
on SQLite the database's single writer serializes them, and the outcomes are checked all the same."""

import threading
from collections.abc import Callable

import pytest
from django.db import close_old_connections, connection

from candidates.choices import CandidateStatus
from candidates.consents import granted_consents
from candidates.models import Candidate, Consent
from candidates.services import CandidateError, candidate_set_consents
from counselling.services import candidates_merge
from referrals.models import DeclineReason, Referral, ReferralStatus
from referrals.services import ReferralError, referral_accept, referral_decline, referral_mark_under_review
from tests.factories import AgentFactory, CandidateFactory, CounsellorFactory, ReferralFactory, TerritoryFactory

ROUNDS = 10
DOMAIN_ERRORS = (ReferralError, CandidateError)


def race(*actions: Callable[[], object]) -> tuple[list[str], list[str], list[BaseException]]:
    """Run the actions at once; returns who completed, the domain refusals (told to people), and
    anything else raised (a deadlock, a database error: what would be a 500)."""
    barrier = threading.Barrier(len(actions))
    done: list[str] = []
    refused: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(index: int, action: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            action()
            with lock:
                done.append(str(index))
        except DOMAIN_ERRORS as error:
            with lock:
                refused.append(str(error))
        except BaseException as error:
            with lock:
                errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(index, action)) for index, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return done, refused, errors


@pytest.mark.django_db(transaction=True)
def test_consent_withdrawal_against_acceptance():
    outcomes = []
    for _ in range(ROUNDS):
        territory = TerritoryFactory()
        agent = AgentFactory(territories=[territory])
        candidate = CandidateFactory(target_territory=territory, status=CandidateStatus.REFERRED)
        referral = ReferralFactory(candidate=candidate, territory=territory)

        done, refused, errors = race(
            lambda candidate=candidate: candidate_set_consents(
                candidate=candidate, choices={Consent.Purpose.SHARING: False}, method=Consent.Method.MY_FILE
            ),
            lambda referral=referral, agent=agent: referral_accept(referral=referral, agent=agent),
        )

        assert not errors, errors
        referral.refresh_from_db()
        candidate.refresh_from_db()
        assert granted_consents(candidate)[Consent.Purpose.SHARING] is False  # the person always gets their way
        if referral.status == ReferralStatus.WITHDRAWN:  # the withdrawal came first
            assert (candidate.status, done, len(refused)) == (CandidateStatus.COACHING, ["0"], 1)
            assert "n'attend plus de réponse" in refused[0]
        else:  # the acceptance came first: nothing was pending any more when the consent went
            assert (referral.status, candidate.status) == (ReferralStatus.ACCEPTED, CandidateStatus.TAKEN_ON)
            assert (sorted(done), refused) == (["0", "1"], [])
        outcomes.append(referral.status)
    assert len(outcomes) == ROUNDS


@pytest.mark.django_db(transaction=True)
def test_merge_against_decline():
    outcomes = []
    for _ in range(ROUNDS):
        territory = TerritoryFactory()
        agent = AgentFactory(territories=[territory])
        counsellor = CounsellorFactory()
        phone = "+14185559999"  # the same person's two files
        keep = CandidateFactory(
            target_territory=territory, status=CandidateStatus.COACHING, counsellor=counsellor, phone=phone
        )
        merge = CandidateFactory(target_territory=territory, status=CandidateStatus.REFERRED, phone=phone)
        referral = ReferralFactory(candidate=merge, territory=territory, sent_by=counsellor)

        done, refused, errors = race(
            lambda keep=keep, merge=merge, by=counsellor: candidates_merge(keep=keep, merge=merge, by=by),
            lambda referral=referral, agent=agent: referral_decline(
                referral=referral, agent=agent, category=DeclineReason.CAPACITY
            ),
        )

        assert not errors, errors
        assert (sorted(done), refused) == (["0", "1"], [])
        # Whichever went first, the same end: the referral declined and on the kept file, which is
        # back in coaching; the other file closed and anonymized.
        referral.refresh_from_db()
        keep.refresh_from_db()
        merged = Candidate.objects.get(pk=merge.pk)
        assert (referral.status, referral.candidate_id) == (ReferralStatus.DECLINED, keep.pk)
        assert keep.status == CandidateStatus.COACHING
        assert (merged.status, merged.anonymized_at is not None) == (CandidateStatus.CLOSED, True)
        assert not Referral.objects.pending().exists()
        outcomes.append(referral.status)
    assert len(outcomes) == ROUNDS


@pytest.mark.django_db(transaction=True)
def test_consent_withdrawal_against_putting_under_review():
    """Whichever goes first, the referral ends withdrawn: one under review still waits for an
    answer, so the withdrawal finds it."""
    for _ in range(ROUNDS):
        territory = TerritoryFactory()
        agent = AgentFactory(territories=[territory])
        candidate = CandidateFactory(target_territory=territory, status=CandidateStatus.REFERRED)
        referral = ReferralFactory(candidate=candidate, territory=territory)

        done, refused, errors = race(
            lambda candidate=candidate: candidate_set_consents(
                candidate=candidate, choices={Consent.Purpose.SHARING: False}, method=Consent.Method.MY_FILE
            ),
            lambda referral=referral, agent=agent: referral_mark_under_review(referral=referral, agent=agent),
        )

        assert not errors, errors
        referral.refresh_from_db()
        candidate.refresh_from_db()
        assert (referral.status, candidate.status) == (ReferralStatus.WITHDRAWN, CandidateStatus.COACHING)
        assert "0" in done and len(done) + len(refused) == 2
