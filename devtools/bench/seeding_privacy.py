"""The rows the retention purge works on (privacy.purge), seeded for its figures: readings of the
files (the access log) and sent emails, spread over the two years of the data set."""

import datetime
from collections.abc import Iterable

from django.db import models

from candidates.models import Candidate, CandidateStatus, FileAccess
from notifications.models import OutboxEmail, OutboxStatus

from .seeding import DATED_MODELS, ROW_KEYS, SEEDERS, Seed


def seed_file_accesses(seed: Seed, candidates: list[Candidate]) -> Iterable[models.Model]:
    """One to four readings of each file a counsellor follows, by that counsellor, hours apart."""
    for candidate in candidates:
        if candidate.counsellor_id is None or candidate.submitted_at is None:
            continue
        at = candidate.submitted_at
        for _ in range(seed.rng.randint(1, 4)):
            at = seed.between(at + datetime.timedelta(hours=1), max(seed.now, at + datetime.timedelta(hours=2)))
            if at > seed.now:
                break
            yield FileAccess(
                id=seed.next_id("file_access"),
                candidate_id=candidate.id,
                user_id=candidate.counsellor_id,
                kind="file_page",
                reader=f"user:{candidate.counsellor_id}",
                hour=at.replace(minute=0, second=0, microsecond=0),
                at=at,
            )


def seed_outbox(seed: Seed, candidates: list[Candidate]) -> Iterable[models.Model]:
    """The emails the person received, sent (their bodies emptied at sending, as delivery does)."""
    for candidate in candidates:
        if candidate.status == CandidateStatus.DRAFT:
            continue
        at = candidate.submitted_at or candidate.created_at
        for number in range(seed.rng.randint(1, 3)):
            at = seed.between(at, seed.now)
            pk = seed.next_id("outbox")
            yield OutboxEmail(
                id=pk,
                key=f"bench:{pk}",
                recipient=candidate.email,
                language=candidate.language,
                template="candidate_file_received" if number == 0 else "referral_sent_candidate",
                context={"candidate": candidate.id},
                subject="Votre inscription est bien reçue",
                status=OutboxStatus.SENT,
                attempts=1,
                next_attempt_at=at,
                sent_at=at,
                created_at=at,
            )


SEEDERS["file_accesses"] = seed_file_accesses
SEEDERS["outbox"] = seed_outbox
DATED_MODELS.extend([FileAccess, OutboxEmail])
ROW_KEYS.update({FileAccess: "file_accesses", OutboxEmail: "outbox_emails"})
