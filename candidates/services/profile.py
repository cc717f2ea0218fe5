"""What the person says about themself: identity and contact, the CV."""

import logging
from pathlib import Path

from django.db import transaction

from accounts.services import user_set_identity

from ..locks import lock_candidate
from ..models import Candidate

logger = logging.getLogger(__name__)


def candidate_set_cv(*, candidate: Candidate, file, kind: str) -> None:
    """Store a validated CV (see candidates.cv.validate_cv) under a random name, replacing the
    previous one; the old file is removed once the change is committed."""
    old = candidate.cv.name if candidate.cv else ""
    stem = Path(file.name or "cv").stem[:100] or "cv"
    candidate.cv.save("cv", file, save=False)
    candidate.cv_filename = f"{stem}.{kind}"
    candidate.save(update_fields=["cv", "cv_filename", "updated_at"])
    if old:
        storage = candidate.cv.storage
        transaction.on_commit(lambda: storage.delete(old))
    logger.info("candidate_set_cv candidate=%s kind=%s", candidate.pk, kind)


def candidate_update_identity(
    *, candidate: Candidate, first_name: str, last_name: str, date_of_birth, phone: str, language: str
) -> None:
    """The person corrects their name, date of birth, phone or language (Mon dossier)."""
    with transaction.atomic():
        candidate.first_name, candidate.last_name = first_name, last_name
        candidate.date_of_birth, candidate.phone, candidate.language = date_of_birth, phone, language
        candidate.save(update_fields=["first_name", "last_name", "date_of_birth", "phone", "language", "updated_at"])
        if user := candidate.user:
            user_set_identity(user=user, first_name=first_name, last_name=last_name, language=language)
    logger.info("candidate_update_identity candidate=%s", candidate.pk)


def candidate_follow_account(*, user, fields: list[str]) -> None:
    """The person changed their name or language on "Mon compte": their file, from which their
    emails are written, follows (accounts.signals.account_changed). Inside the caller's
    transaction; the candidate's row is locked first (candidates.locks)."""
    pk = Candidate.objects.filter(user=user).values_list("pk", flat=True).first()
    candidate = lock_candidate(pk) if pk is not None else None
    if candidate is None or candidate.anonymized_at is not None:
        return
    for field in fields:
        setattr(candidate, field, getattr(user, field))
    candidate.save(update_fields=[*fields, "updated_at"])
    logger.info("candidate_follow_account candidate=%s fields=%s", candidate.pk, ",".join(fields))
