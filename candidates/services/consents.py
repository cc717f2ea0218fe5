"""Consents given and withdrawn (Québec's Law 25): one row per change, never edited."""

import logging
from collections.abc import Mapping

from django.db import transaction

from ..choices import EventCode
from ..consents import CONSENT_TEXTS, consent_row, granted_consents
from ..locks import lock_candidate
from ..models import Candidate, CandidateEvent, Consent
from ..signals import sharing_consent_withdrawn, withdrawn_count
from .emails import candidate_email_coaching_withdrawn

logger = logging.getLogger(__name__)


def candidate_set_consents(
    *, candidate: Candidate, choices: Mapping[str, bool], method: str, language: str | None = None
) -> list[str]:
    """Give or withdraw consents: a new Consent row for each purpose whose choice changed (rows are
    never edited), pointing to the words the person read: the purpose's current wording, in
    `language` (default: the page's). Withdrawing "sharing" withdraws a referral waiting for an answer
    (the file goes back to coaching: the referrals app receives `sharing_consent_withdrawn`);
    withdrawing "coaching" is marked on the file's timeline for the counsellor, who can no longer
    coach them, but does not close the file. Returns the purposes whose choice changed."""
    if unknown := set(choices) - set(CONSENT_TEXTS):
        raise ValueError(f"Unknown consent purposes: {sorted(unknown)}")
    withdrawn = 0
    with transaction.atomic():
        locked = lock_candidate(candidate.pk, related=("user",))
        before = granted_consents(locked)
        changed = [purpose for purpose, granted in choices.items() if before[purpose] != bool(granted)]
        Consent.objects.bulk_create(
            consent_row(candidate=locked, purpose=purpose, granted=choices[purpose], method=method, language=language)
            for purpose in changed
        )
        if Consent.Purpose.COACHING in changed and not choices[Consent.Purpose.COACHING]:
            # Not a change of status: a mark on the timeline the counsellor reads. The person is
            # told when the file will be anonymized unless they give it again (privacy.purge).
            event = CandidateEvent.objects.create(
                candidate=locked,
                kind=CandidateEvent.Kind.CONSENT_CHANGED,
                actor=locked.user,
                code=EventCode.COACHING_CONSENT_WITHDRAWN,
            )
            if locked.anonymized_at is None and method != Consent.Method.ACCOUNT_DELETION:
                candidate_email_coaching_withdrawn(candidate=locked, event=event)
        if Consent.Purpose.SHARING in changed and not choices[Consent.Purpose.SHARING]:
            withdrawn = withdrawn_count(
                sharing_consent_withdrawn.send(sender=Candidate, candidate=locked, by=locked.user)
            )
    getattr(candidate, "_prefetched_objects_cache", {}).pop("consents", None)
    candidate.coaching_consent = locked.coaching_consent  # the caller's file reads as the rows now say
    logger.info(
        "candidate_set_consents candidate=%s method=%s changed=%s referrals_withdrawn=%s",
        candidate.pk,
        method,
        ",".join(f"{purpose}={bool(choices[purpose])}" for purpose in changed) or "-",
        withdrawn,
    )
    return changed
