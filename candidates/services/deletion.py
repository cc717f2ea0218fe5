"""Deleting a person's account at their request (Québec's Law 25), and the anonymization of a
file that the merge of two files shares."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import user_delete

from ..choices import CandidateStatus, EventCode
from ..consents import consent_row
from ..errors import CandidateError
from ..locks import lock_candidate
from ..models import Candidate, CandidateEvent, Consent, MaturityAssessment
from ..signals import account_deleted, withdrawn_count
from .status import candidate_set_status

logger = logging.getLogger(__name__)

# Kept after deletion for aggregate counts (profiles, territories, statuses, dates); every other
# field of the file, including fields added later, is cleared.
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
        "anonymized_at",
    }
)


def candidate_anonymize_fields(candidate: Candidate) -> str:
    """Clear every field of a locked file but ANONYMIZATION_KEPT_FIELDS, detach its account and
    mark it anonymized, then save. Returns the CV's storage name, to delete once committed."""
    cv_name = candidate.cv.name if candidate.cv else ""
    for field in candidate._meta.concrete_fields:
        if field.name not in ANONYMIZATION_KEPT_FIELDS:
            setattr(candidate, field.attname, None if field.null else field.get_default())
    candidate.first_name = candidate.last_name = "Anonyme"
    candidate.email = f"supprime-{candidate.pk}@invalid.pajr"
    candidate.user = None
    candidate.anonymized_at = timezone.now()
    candidate.save()
    return cv_name


def delete_file_after_commit(candidate: Candidate, name: str) -> None:
    if name:
        storage = candidate.cv.storage
        transaction.on_commit(lambda: storage.delete(name))


def candidate_delete(*, candidate: Candidate) -> None:
    """Delete the candidate's account at their request (Québec's Law 25), all or nothing: the
    referrals app withdraws a referral waiting for an answer and clears what was written about
    the person there (`account_deleted`); every consent is recorded as withdrawn; the file is
    anonymized (kept, closed, for aggregate counts only) and what staff wrote about the person
    cleared; the account is deleted and, once committed, the CV file."""
    with transaction.atomic():
        candidate = lock_candidate(candidate.pk, related=("user",))
        if candidate is None or candidate.anonymized_at is not None:
            raise CandidateError(_("Ce dossier a déjà été supprimé."))
        user = candidate.user
        withdrawn = withdrawn_count(account_deleted.send(sender=Candidate, candidate=candidate, by=user))
        candidate.refresh_from_db()  # the referrals app may have moved the status meanwhile
        CandidateEvent.objects.filter(candidate=candidate).update(note="", params={})
        # What counsellors wrote about the person.
        candidate.coaching_notes.all().delete()
        MaturityAssessment.objects.filter(candidate=candidate).update(mature_note="")
        Consent.objects.bulk_create(
            consent_row(candidate=candidate, purpose=purpose, granted=False, method=Consent.Method.ACCOUNT_DELETION)
            for purpose in Consent.Purpose.values
        )
        cv_name = candidate_anonymize_fields(candidate)
        candidate_set_status(candidate=candidate, to=CandidateStatus.CLOSED, by=None, code=EventCode.ACCOUNT_DELETED)

        user_pk = user.pk if user else None
        user_deleted = user_delete(user=user) if user is not None else False
        delete_file_after_commit(candidate, cv_name)
    logger.info(
        "candidate_delete candidate=%s user=%s user_deleted=%s referrals_withdrawn=%s cv_deleted=%s",
        candidate.pk,
        user_pk,
        user_deleted,
        withdrawn,
        bool(cv_name),
    )
