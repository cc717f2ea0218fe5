"""What the referrals app does when the candidates app says something happened to a person
(candidates.signals, the only arrows from a lower app to a higher one). Connected in
ReferralsConfig.ready. Both run inside the sender's transaction, which already holds the
candidate's row: the referrals are locked after it (referrals.locks)."""

from django.dispatch import receiver

from candidates.choices import AnonymizationReason
from candidates.models import Candidate
from candidates.signals import file_anonymizing, sharing_consent_withdrawn
from notifications.services import outbox_forget

from .models import FollowUp, Referral, ReferralTransition, TransitionCode
from .services.emails import referral_email_withdrawn_counsellor
from .services.workflow import referral_withdraw


def _withdraw_pending(candidate: Candidate, *, by, code: str, anonymized: str = "") -> int:
    pending = list(Referral.objects.awaiting_answer().filter(candidate=candidate).only("pk"))
    for referral in pending:
        referral_withdraw(referral=referral, by_user=by, code=code)
        referral_email_withdrawn_counsellor(referral=referral, anonymized=anonymized)
    return len(pending)


@receiver(sharing_consent_withdrawn, dispatch_uid="referrals.sharing_consent_withdrawn")
def on_sharing_consent_withdrawn(*, candidate: Candidate, by, **kwargs) -> int:
    """A referral waiting for an answer is withdrawn; the counsellor is told."""
    return _withdraw_pending(candidate, by=by, code=TransitionCode.SHARING_WITHDRAWN)


@receiver(file_anonymizing, dispatch_uid="referrals.file_anonymizing")
def on_file_anonymizing(*, candidate: Candidate, by, reason: str, **kwargs) -> tuple[int, int]:
    """The emails about the person's referrals leave the outbox; a referral waiting for an answer
    is withdrawn (the counsellor is told, without the person's name); every emailed link stops
    working; what counsellors and agents wrote about the person (messages, reasons, follow-up
    notes) is emptied. The facts (territories, statuses, dates) stay for the statistics."""
    referrals = Referral.objects.filter(candidate=candidate)
    forgotten = outbox_forget(refs={"referral": list(referrals.values_list("pk", flat=True))})
    code = (
        TransitionCode.ACCOUNT_DELETED
        if reason == AnonymizationReason.ACCOUNT_DELETED
        else TransitionCode.FILE_ANONYMIZED
    )
    withdrawn = _withdraw_pending(candidate, by=by, code=code, anonymized=reason)
    referrals.update(message="", decline_reason="")
    ReferralTransition.objects.filter(referral__candidate=candidate).update(reason="")
    FollowUp.objects.filter(referral__candidate=candidate).update(note="")
    return withdrawn, forgotten
