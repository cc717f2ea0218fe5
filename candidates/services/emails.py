"""The emails the candidates app sends to the person, written to the outbox in the caller's
transaction (they leave after commit)."""

import datetime

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from common.urls import absolute_url
from notifications.services import outbox_enqueue

from ..models import Candidate, CandidateEvent


def candidate_email_file_received(*, candidate: Candidate) -> None:
    """Tell the person their registration reached EER's queue and what comes next. Once per file."""
    outbox_enqueue(
        to=candidate.email,
        language=candidate.language,
        template="candidate_file_received",
        context={"candidate": candidate, "link": absolute_url("my_file:home")},
        key=f"candidate_file_received:{candidate.pk}",
    )


def candidate_email_counsellor_assigned(
    *, candidate: Candidate, counsellor: User, event: CandidateEvent | None
) -> None:
    """Tell the person who their counsellor is now and how to reach them: one email per change of
    counsellor (`event`, the ASSIGNED event of the change, makes the key)."""
    if event is None or candidate.anonymized_at is not None:
        return
    outbox_enqueue(
        to=candidate.email,
        language=candidate.language,
        template="candidate_counsellor_assigned",
        context={"candidate": candidate, "counsellor": counsellor, "link": absolute_url("my_file:home")},
        key=f"candidate_counsellor_assigned:{candidate.pk}:{event.pk}",
    )


def candidate_email_sharing_consent_request(*, candidate: Candidate, counsellor: User, event: CandidateEvent) -> None:
    """Ask the person, for their counsellor, to consent to sharing their file with PAJ agents."""
    outbox_enqueue(
        to=candidate.email,
        language=candidate.language,
        template="sharing_consent_request",
        context={"candidate": candidate, "counsellor": counsellor, "link": absolute_url("my_file:consents")},
        key=f"sharing_consent_request:{event.pk}",
    )


def candidate_email_coaching_withdrawn(*, candidate: Candidate, event: CandidateEvent) -> None:
    """Tell the person that, having withdrawn their consent to coaching, their file will be
    anonymized after RETENTION["coaching_withdrawn"] days unless they give it again (the purge
    counts from the same withdrawal)."""
    days = settings.RETENTION["coaching_withdrawn"]
    outbox_enqueue(
        to=candidate.email,
        language=candidate.language,
        template="coaching_withdrawn_candidate",
        context={
            "candidate": candidate,
            "anonymize_on": timezone.localdate(event.created_at + datetime.timedelta(days=days)),
            "link": absolute_url("my_file:consents"),
        },
        key=f"coaching_withdrawn_candidate:{event.pk}",
    )


def candidate_email_territory_proposed(*, candidate: Candidate, proposal, event: CandidateEvent) -> None:
    """Tell the person their counsellor proposes a territory they did not choose; the link leads
    to Mon dossier, where they answer once signed in (nothing changes from the email itself)."""
    outbox_enqueue(
        to=candidate.email,
        language=candidate.language,
        template="territory_proposed_candidate",
        context={
            "candidate": candidate,
            "proposal": proposal,
            "territory": proposal.territory,
            "counsellor": proposal.proposed_by,
            "link": absolute_url("my_file:proposals"),
        },
        key=f"territory_proposed_candidate:{event.pk}",
    )
