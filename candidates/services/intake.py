"""Files that reach EER from outside the registration: a PAJ agent sends a person to EER."""

import logging

from django.db import transaction
from django.db.models.functions import Upper
from django.db.models.lookups import Exact
from django.utils import timezone

from accounts.models import User

from ..choices import CandidateStatus, EventCode, ProfileKind
from ..consents import CONSENT_TEXTS
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
) -> tuple[Candidate, bool]:
    """A PAJ agent sends a person whose project is not mature yet to EER coaching, with the
    person's agreement. Opens a submitted file awaiting triage (no account: the person can create
    one later), with the coaching consent the agent collected and the agent's note on its timeline;
    when a file already exists for that email, only the note is added to it. Returns the file and
    whether it was created. The caller (the referrals app) checks who the agent is."""
    email = email.strip().lower()
    params = {"agent": agent_name, "agent_email": agent_email, "territories": territory_ids}
    with transaction.atomic():
        existing = (
            Candidate.objects.select_for_update(of=("self",))
            .filter(Exact(Upper("email"), email.upper()), anonymized_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        candidate, created = existing, existing is None
        if created:
            candidate = Candidate.objects.create(
                first_name=first_name,
                last_name=last_name,
                email=email,
                phone=phone or "",
                language=language,
                profile_kind=ProfileKind.IMMIGRANT,
                status=CandidateStatus.NEW,
                submitted_at=timezone.now(),
            )
            Consent.objects.create(
                candidate=candidate,
                purpose=Consent.Purpose.COACHING,
                granted=True,
                text_version=CONSENT_TEXTS[Consent.Purpose.COACHING].version,
                method=Consent.Method.AGENT,
            )
            CandidateEvent.objects.create(
                candidate=candidate, kind=CandidateEvent.Kind.REGISTERED, to_status=candidate.status, actor=actor
            )
        CandidateEvent.objects.create(
            candidate=candidate,
            kind=CandidateEvent.Kind.AGENT_REFERRAL,
            actor=actor,
            code=EventCode.AGENT_REFERRAL,
            params=params,
            note=note,
        )
    logger.info("candidate_intake_from_agent candidate=%s created=%s", candidate.pk, created)
    return candidate, created
