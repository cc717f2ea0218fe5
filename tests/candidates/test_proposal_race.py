"""At the same moment, the counsellor withdraws a proposal while the person accepts and declines
it, and two counsellors propose the same territory: exactly one change of each wins. Real threads,
each with its own connection, released together; on PostgreSQL the file's row lock decides (and
the partial unique constraint), on SQLite the single writer."""

import threading
from functools import partial

import pytest
from django.db import close_old_connections, connection

from candidates.models import CandidateEvent, TerritoryProposal
from candidates.services import (
    ProposalError,
    territory_proposal_accept,
    territory_proposal_decline,
    territory_proposal_withdraw,
    territory_propose,
)
from tests.factories import AgentFactory, CandidateFactory, CounsellorFactory, TerritoryFactory

ROUNDS = 5


def together(*calls) -> tuple[list[str], list[str]]:
    barrier = threading.Barrier(len(calls))
    won, lost = [], []
    lock = threading.Lock()

    def run(name, call):
        try:
            barrier.wait(timeout=10)
            call()
            with lock:
                won.append(name)
        except ProposalError as error:
            with lock:
                lost.append(error.code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return won, lost


@pytest.mark.django_db(transaction=True)
def test_one_answer_wins_and_one_proposal_waits():
    for _ in range(ROUNDS):
        territory, other = TerritoryFactory(), TerritoryFactory()
        AgentFactory(territories=[other])
        counsellors = [CounsellorFactory(), CounsellorFactory()]
        candidate = CandidateFactory(target_territory=territory, status="coaching")

        won, lost = together(
            *(
                (f"propose-{i}", partial(territory_propose, candidate=candidate, territory=other, by=by))
                for i, by in enumerate(counsellors)
            )
        )
        assert (len(won), lost) == (1, ["already_pending"]), (won, lost)
        proposal = TerritoryProposal.objects.get(candidate=candidate)

        won, lost = together(
            ("accept", partial(territory_proposal_accept, proposal=proposal, by=candidate.user)),
            ("decline", partial(territory_proposal_decline, proposal=proposal, by=candidate.user)),
            ("withdraw", partial(territory_proposal_withdraw, proposal=proposal, by=counsellors[0])),
        )

        assert len(won) == 1 and lost == ["not_pending", "not_pending"], (won, lost)
        proposal.refresh_from_db()
        assert proposal.status == {"accept": "accepted", "decline": "declined", "withdraw": "withdrawn"}[won[0]]
        assert candidate.targets.filter(territory=other).exists() == (won[0] == "accept")
        events = CandidateEvent.objects.filter(candidate=candidate, kind="territory_proposal").count()
        assert events == 2  # proposed, and the one answer
