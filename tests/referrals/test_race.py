"""Two answers to the same referral at the same moment: exactly one wins, the others are told
who answered first. Real threads, each with its own database connection, released together by
a barrier; on PostgreSQL the referral's row lock (select_for_update) decides, on SQLite the
database's single writer does."""

import threading

import pytest
from django.db import close_old_connections, connection

from candidates.models import CandidateStatus
from referrals.models import DeclineReason, Referral, ReferralStatus, ReferralTransition
from referrals.services import ReferralError, referral_accept, referral_decline
from tests.factories import AgentFactory, CandidateFactory, ReferralFactory, TerritoryFactory

ROUNDS = 10
# Per round: two agents of the territory accept, and each also declines.
TRIES = 4


def race(referral, agents) -> tuple[list[str], list[str]]:
    barrier = threading.Barrier(TRIES)
    won: list[str] = []
    lost: list[str] = []
    lock = threading.Lock()

    def answer(agent, accept: bool):
        try:
            barrier.wait(timeout=10)
            if accept:
                referral_accept(referral=referral, agent=agent)
            else:
                referral_decline(referral=referral, agent=agent, category=DeclineReason.CAPACITY)
            with lock:
                won.append(f"{agent.pk}:{'accept' if accept else 'decline'}")
        except ReferralError as error:
            with lock:
                lost.append(str(error))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=answer, args=(agent, accept)) for agent in agents for accept in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return won, lost


@pytest.mark.django_db(transaction=True)
def test_exactly_one_of_simultaneous_answers_wins(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    winners_per_round = []
    for _ in range(ROUNDS):
        territory = TerritoryFactory()
        agents = [AgentFactory(territories=[territory]) for _ in range(2)]
        referral = ReferralFactory(
            candidate=CandidateFactory(target_territory=territory, status=CandidateStatus.REFERRED)
        )

        won, lost = race(referral, agents)

        winners_per_round.append(len(won))
        assert len(won) == 1, (won, lost)
        assert len(lost) == TRIES - 1
        referral.refresh_from_db()
        assert referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED)
        # The losers are told who answered first.
        assert all(f"par {referral.answered_by}" in message for message in lost), lost
        assert ReferralTransition.objects.filter(referral=referral).count() == 1
    assert winners_per_round == [1] * ROUNDS
    assert Referral.objects.filter(status=ReferralStatus.PENDING).count() == 0
