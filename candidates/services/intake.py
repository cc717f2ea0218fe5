"""Files that reach EER from outside the registration: a PAJ agent sends a person to EER."""

import logging

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..choices import CandidateStatus, EventCode, ProfileKind
from ..consents import AGENT_COACHING_WORDING, consent_row
from ..models import Candidate, CandidateEvent, Consent

logger = logging.getLogger(__name__)


def candidate_intake_from_agent(
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    language: str,
    note: str,
    agent_name: str,
    agent_email: str,
    territory_ids: list[int],
    actor: User | None,
) -> Candidate:
    """A PAJ agent sends a person whose project is not mature yet to EER coaching, with the
    person's agreement: a new file awaiting triage (no account: the person can create one later),
    with the coaching consent the agent collected and the agent's note on its timeline. Always a
    new file, whatever files exist: the agent learns nothing of them, and a file they never
    received is not touched. The counsellors' triage shows the possible duplicates (same email,
    phone or name and date of birth) and merges them. The caller (the referrals app) checks who
    the agent is and how many they sent today."""
    with transaction.atomic():
        candidate = Candidate.objects.create(
            first_name=first_name,
            last_name=last_name,
            email=email.strip().lower(),
            phone=phone or "",
            language=language,
            profile_kind=ProfileKind.IMMIGRANT,
            status=CandidateStatus.NEW,
            submitted_at=timezone.now(),
        )
        consent_row(
            candidate=candidate,
            purpose=Consent.Purpose.COACHING,
            granted=True,
            method=Consent.Method.AGENT,
            language=language,
            wording=AGENT_COACHING_WORDING,
        ).save()
        CandidateEvent.objects.create(
            candidate=candidate, kind=CandidateEvent.Kind.REGISTERED, to_status=candidate.status, actor=actor
        )
        CandidateEvent.objects.create(
            candidate=candidate,
            kind=CandidateEvent.Kind.AGENT_REFERRAL,
            actor=actor,
            code=EventCode.AGENT_REFERRAL,
            params={"agent": agent_name, "agent_email": agent_email, "territories": territory_ids},
            note=note,
        )
    logger.info("candidate_intake_from_agent candidate=%s", candidate.pk)
    return candidate


def agent_intakes_since(*, actor: User, since) -> int:
    """How many people this agent's account sent to EER since `since` (the daily limit)."""
    return CandidateEvent.objects.filter(
        kind=CandidateEvent.Kind.AGENT_REFERRAL, actor=actor, created_at__gte=since
    ).count()
