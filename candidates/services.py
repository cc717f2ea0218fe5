import logging
from pathlib import Path

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from territories.models import Territory

from .models import Candidate, CandidateEvent, CandidateStatus, CandidateTarget, Consent

logger = logging.getLogger(__name__)

CONSENT_TEXT_VERSION = "2026-11-inscription-v1"


class CandidateError(Exception):
    """A change to a candidate's file that the rules do not allow; the message is for people."""


class EmailAlreadyRegistered(CandidateError):
    pass


def candidate_register(
    *,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    profile_kind: str,
    target_territory: Territory,
    language: str,
    consent: bool,
    email_verified: bool = False,
) -> Candidate:
    """Create an account with a complete, submitted file in one go (demo data, imports): both or
    neither. People register through the sign-up and the registration steps instead."""
    if not consent:
        raise CandidateError(_("Ce consentement est nécessaire pour ouvrir votre dossier."))
    email = email.strip().lower()
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                language=language,
            )
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
            candidate = Candidate.objects.create(
                user=user,
                first_name=first_name,
                last_name=last_name,
                email=email,
                language=language,
                profile_kind=profile_kind,
                status=CandidateStatus.NEW,
                submitted_at=timezone.now(),
            )
            CandidateTarget.objects.create(candidate=candidate, territory=target_territory, rank=1)
            Consent.objects.bulk_create(
                Consent(
                    candidate=candidate,
                    purpose=purpose,
                    granted=True,
                    text_version=CONSENT_TEXT_VERSION,
                    method=Consent.Method.REGISTRATION_FORM,
                )
                for purpose in (Consent.Purpose.COACHING, Consent.Purpose.SHARING)
            )
            CandidateEvent.objects.create(
                candidate=candidate,
                kind=CandidateEvent.Kind.REGISTERED,
                to_status=candidate.status,
                actor=user,
            )
    except IntegrityError as exc:
        if User.objects.filter(email=email).exists():
            raise EmailAlreadyRegistered(email) from exc
        raise
    logger.info("candidate_register candidate=%s", candidate.pk)
    return candidate


def candidate_start(
    *, user: User, first_name: str, last_name: str, date_of_birth, phone: str, language: str
) -> Candidate:
    """Open a draft file for an account that has just signed up (step 1 of the registration)."""
    user.first_name, user.last_name, user.language = first_name, last_name, language
    user.save(update_fields=["first_name", "last_name", "language"])
    candidate = Candidate.objects.create(
        user=user,
        first_name=first_name,
        last_name=last_name,
        email=user.email,
        date_of_birth=date_of_birth,
        phone=phone,
        language=language,
        status=CandidateStatus.DRAFT,
        registration_step=2,
    )
    CandidateEvent.objects.create(
        candidate=candidate, kind=CandidateEvent.Kind.REGISTERED, to_status=candidate.status, actor=user
    )
    logger.info("candidate_start candidate=%s outside_age_range=%s", candidate.pk, candidate.is_outside_age_range)
    return candidate


def candidate_set_cv(*, candidate: Candidate, file, kind: str) -> None:
    """Store a validated CV (see candidates.cv.validate_cv) under a random name, replacing the
    previous one; the old file is removed once the change is committed."""
    old = candidate.cv.name if candidate.cv else ""
    stem = Path(file.name or "cv").stem[:100] or "cv"
    candidate.cv.save("cv", file, save=False)
    candidate.cv_filename = f"{stem}.{kind}"
    candidate.save(update_fields=["cv", "cv_filename", "updated_at"])
    if old:
        transaction.on_commit(lambda: candidate.cv.storage.delete(old))
    logger.info("candidate_set_cv candidate=%s kind=%s", candidate.pk, kind)


def candidate_set_status(*, candidate: Candidate, to: str, by: User | None, note: str = "") -> None:
    """Move the file to another status and record it on its timeline. Call inside a transaction
    that holds the candidate's row (select_for_update)."""
    from_status = candidate.status
    if from_status == to:
        return
    candidate.status = to
    candidate.save(update_fields=["status", "updated_at"])
    CandidateEvent.objects.create(
        candidate=candidate,
        kind=CandidateEvent.Kind.STATUS_CHANGED,
        from_status=from_status,
        to_status=to,
        actor=by,
        note=note,
    )
    logger.info(
        "candidate_set_status candidate=%s %s->%s by=%s",
        candidate.pk,
        from_status,
        to,
        by and by.pk,
    )


REFERABLE_STATUSES = (CandidateStatus.NEW, CandidateStatus.COACHING)
