"""The one way a person leaves the platform (Québec's Law 25): candidate_anonymize, whoever asks —
the person deleting their account, the privacy officer, an admin, the retention purge, or the
expiry of a withdrawn coaching consent. Also the anonymization of a file that a merge absorbs."""

import dataclasses
import logging

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import user_delete, user_end_sessions
from notifications.services import outbox_forget

from ..choices import AnonymizationReason, CandidateStatus, EventCode
from ..consents import consent_row, granted_consents
from ..errors import CandidateError
from ..locks import lock_candidate
from ..models import Candidate, CandidateEvent, Consent, MaturityAssessment
from ..signals import file_anonymizing, withdrawn_count
from .proposals import territory_proposals_forget
from .status import ENDED_STATUSES, candidate_record_event, candidate_set_status

logger = logging.getLogger(__name__)

# Kept after anonymization for aggregate counts (profiles, territories, statuses, dates); every
# other field of the file, including fields added later, is cleared.
ANONYMIZATION_KEPT_FIELDS = frozenset(
    {
        "id",
        "user",
        "counsellor",
        "language",
        "profile_kind",
        "targets_undecided",
        "registration_step",
        "submitted_at",
        "status",
        "created_at",
        "updated_at",
        "closed_at",
        "anonymized_at",
    }
)

ANONYMOUS_NAME = "Anonyme"


def anonymous_email(pk: int) -> str:
    return f"supprime-{pk}@invalid.pajr"


def candidate_anonymize_fields(candidate: Candidate) -> str:
    """Clear every field of a locked file but ANONYMIZATION_KEPT_FIELDS, detach its account and
    mark it anonymized, then save. Returns the CV's storage name, to delete once committed."""
    cv_name = candidate.cv.name if candidate.cv else ""
    for field in candidate._meta.concrete_fields:
        if field.name not in ANONYMIZATION_KEPT_FIELDS:
            setattr(candidate, field.attname, None if field.null else field.get_default())
    candidate.first_name = candidate.last_name = ANONYMOUS_NAME
    candidate.email = anonymous_email(candidate.pk)
    candidate.user = None
    candidate.anonymized_at = timezone.now()
    candidate.save()
    return cv_name


def delete_file_after_commit(candidate: Candidate, name: str) -> None:
    if name:
        storage = candidate.cv.storage
        transaction.on_commit(lambda: storage.delete(name))


def admin_log_forget(*, model, pk: int) -> int:
    """The admin's history of changes to one row keeps that the row changed, not what it said."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False), object_id=str(pk)
    ).update(object_repr=f"#{pk}", change_message="")


@dataclasses.dataclass(frozen=True)
class Anonymized:
    """What candidate_anonymize did, in counts (the caller logs or shows them)."""

    candidate_id: int
    referrals_withdrawn: int
    emails_forgotten: int
    sessions_ended: int
    account_deleted: bool
    cv_deleted: bool


def candidate_anonymize(*, candidate: Candidate, by: User | None, reason: str, reference: str = "") -> Anonymized:
    """Remove the person from the platform, all or nothing, whatever the path:

    - emails to them or about them leave the outbox (pending ones are not sent);
    - the referrals app withdraws a referral waiting for an answer and empties what counsellors and
      agents wrote in the referrals, the follow-up notes included (`file_anonymizing`);
    - the history keeps its facts without free text; counsellors' notes are deleted; territory
      proposals waiting for an answer are withdrawn and their messages emptied;
    - every consent is recorded as withdrawn; the file keeps only ANONYMIZATION_KEPT_FIELDS;
    - the account's sessions end everywhere and the account is deleted (with its email
      addresses); the admin's log forgets the names; once committed, the CV file is deleted.

    A file still open is closed; a settled or closed one keeps its status (the statistics count
    it). `reason` is an AnonymizationReason; `reference` an optional note of the officer's (a
    request number, never the person's name). Raises CandidateError when already anonymized."""
    if reason not in AnonymizationReason.values:
        raise CandidateError(_("Indiquez pourquoi le dossier est anonymisé."))
    with transaction.atomic():
        candidate = lock_candidate(candidate.pk, related=("user",))
        if candidate is None or candidate.anonymized_at is not None:
            raise CandidateError(_("Ce dossier est déjà anonymisé."))
        user = candidate.user
        addresses = {candidate.email} | ({user.email} if user else set())
        # First, so that the emails the anonymization itself sends (to counsellors) stay.
        forgotten = outbox_forget(recipients=addresses, refs={"candidate": [candidate.pk]})
        responses = file_anonymizing.send(sender=Candidate, candidate=candidate, by=by, reason=reason)
        withdrawn = withdrawn_count([(receiver, result[0]) for receiver, result in responses])
        forgotten += sum(result[1] for _receiver, result in responses)
        candidate.refresh_from_db()  # the referrals app may have moved the status meanwhile

        CandidateEvent.objects.filter(candidate=candidate).update(note="")
        candidate.coaching_notes.all().delete()
        territory_proposals_forget(candidate=candidate)
        MaturityAssessment.objects.filter(candidate=candidate).update(mature_note="")
        still_granted = [purpose for purpose, granted in granted_consents(candidate).items() if granted]
        method = {
            AnonymizationReason.ACCOUNT_DELETED: Consent.Method.ACCOUNT_DELETION,
            AnonymizationReason.DRAFT_EXPIRED: Consent.Method.EXPIRY,
            AnonymizationReason.FILE_EXPIRED: Consent.Method.EXPIRY,
            AnonymizationReason.COACHING_WITHDRAWN: Consent.Method.EXPIRY,
        }.get(reason, Consent.Method.ANONYMIZATION)
        Consent.objects.bulk_create(
            consent_row(candidate=candidate, purpose=purpose, granted=False, method=method) for purpose in still_granted
        )
        admin_log_forget(model=Candidate, pk=candidate.pk)
        cv_name = candidate_anonymize_fields(candidate)

        code = EventCode.ACCOUNT_DELETED if reason == AnonymizationReason.ACCOUNT_DELETED else EventCode.ANONYMIZED
        params = {"reason": reason}
        if candidate.status in ENDED_STATUSES:
            candidate_record_event(
                candidate=candidate,
                kind=CandidateEvent.Kind.ANONYMIZED,
                by=by,
                code=code,
                params=params,
                note=reference,
            )
        else:
            candidate_set_status(
                candidate=candidate, to=CandidateStatus.CLOSED, by=by, code=code, params=params, note=reference
            )

        sessions = user_end_sessions(user=user) if user is not None else 0
        account_deleted = user_delete(user=user) if user is not None else False
        delete_file_after_commit(candidate, cv_name)
    result = Anonymized(
        candidate_id=candidate.pk,
        referrals_withdrawn=withdrawn,
        emails_forgotten=forgotten,
        sessions_ended=sessions,
        account_deleted=account_deleted,
        cv_deleted=bool(cv_name),
    )
    logger.info(
        "candidate_anonymize candidate=%s reason=%s by=%s referrals_withdrawn=%s emails_forgotten=%s "
        "sessions_ended=%s account_deleted=%s cv_deleted=%s",
        candidate.pk,
        reason,
        by and by.pk,
        withdrawn,
        forgotten,
        sessions,
        account_deleted,
        bool(cv_name),
    )
    return result


def candidate_delete(*, candidate: Candidate) -> Anonymized:
    """The person deletes their account from Mon dossier."""
    return candidate_anonymize(candidate=candidate, by=candidate.user, reason=AnonymizationReason.ACCOUNT_DELETED)
