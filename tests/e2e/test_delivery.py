"""Referral emails are written to the outbox with the change, then leave through a real Celery
worker and arrive at a real SMTP server."""

import re

import pytest
from django.db import transaction

from referrals.models import ReferralLink
from referrals.services import referral_accept, referral_send
from tests.factories import AgentFactory, CandidateFactory, CounsellorFactory, TerritoryFactory

pytestmark = pytest.mark.worker

# Links are built from SITE_URL when the email is written, by the process making the change.
SITE_URL = "https://plateforme.pajr.test"
LINK_RE = re.compile(re.escape(SITE_URL) + r"/r/([A-Za-z0-9_-]{43})/")


@pytest.fixture
def people(transactional_db, settings):
    settings.SITE_URL = SITE_URL
    counsellor = CounsellorFactory()
    territory = TerritoryFactory()
    agent = AgentFactory(territories=[territory])
    candidate = CandidateFactory(target_territory=territory, mature=True)  # with the sharing consent
    return counsellor, territory, agent, candidate


def send_referral(counsellor, territory, candidate):
    with transaction.atomic():  # the outbox row is published to the worker when this commits
        return referral_send(candidate=candidate, territories=[territory], by=counsellor, message="Projet mûr.")


def test_the_agent_receives_their_link_once(celery_worker_process, smtp_server, people):
    counsellor, territory, agent, candidate = people
    worker = celery_worker_process(site_url=SITE_URL)

    referral = send_referral(counsellor, territory, candidate)

    [received] = smtp_server.wait_for(to=agent.email)
    worker.wait_for_task("notifications.tasks.deliver_outbox_email")
    smtp_server.assert_no_more(to=agent.email, count=1)
    assert received.recipients == (agent.email,)
    assert received.message["To"] == agent.email
    assert f"dossier n° {candidate.pk}" in received.subject
    assert candidate.last_name not in received.subject  # the subject never carries the name
    match = LINK_RE.search(received.text)
    assert match, received.text
    assert match.group(0) in received.html
    link = ReferralLink.objects.for_token(match.group(1)).get()
    assert link.agent == agent
    assert link.referral == referral
    assert link.sent_at is not None
    smtp_server.wait_for(to=candidate.email)  # told which territory now has their file
    smtp_server.assert_no_more(count=2)


def test_the_answer_reaches_the_candidate_and_the_counsellor(celery_worker_process, smtp_server, people):
    counsellor, territory, agent, candidate = people
    worker = celery_worker_process(site_url=SITE_URL)
    referral = send_referral(counsellor, territory, candidate)
    smtp_server.wait_for(to=agent.email)

    with transaction.atomic():
        referral_accept(referral=referral, agent=agent)

    [to_candidate] = smtp_server.wait_for(lambda m: agent.email in m.text, to=candidate.email)
    [to_counsellor] = smtp_server.wait_for(to=counsellor.email)
    worker.wait_for_task("notifications.tasks.deliver_outbox_email")
    # The agent's, the candidate's two (referred; accepted) and the counsellor's.
    smtp_server.assert_no_more(count=4)
    assert territory.name in to_candidate.subject
    assert agent.email in to_candidate.text
    assert f"{SITE_URL}/mon-dossier/" in to_candidate.text
    assert f"{SITE_URL}/conseil/candidats/{candidate.pk}/" in to_counsellor.text
    assert f"{candidate.full_name} : Acceptée." in to_counsellor.text
    assert to_counsellor.subject == f"Orientation acceptée : dossier n° {candidate.pk} ({territory.name})"
