"""What the referrals app does when the candidates app says something happened to a person
(candidates.signals, the only arrows from a lower app to a higher one). Connected in
ReferralsConfig.ready. Both run inside the sender's transaction, which already holds the
candidate's row: the referrals are locked after it (referrals.locks)."""

from django.dispatch import receiver

from candidates.models import Candidate
from candidates.signals import account_deleted, sharing_consent_withdrawn

from .models import Referral, ReferralTransition, TransitionCode
from .services.emails import referral_email_withdrawn_counsellor
from .services.workflow import referral_withdraw


def _withdraw_pending(candidate: Candidate, *, by, code: str, account_deleted: bool) -> int:
    pending = list(Referral.objects.pending().filter(candidate=candidate).only("pk"))
    for referral in pending:
        referral_withdraw(referral=referral, by_user=by, code=code)
        referral_email_withdrawn_counsellor(referral=referral, account_deleted=account_deleted)
    return len(pending)


@receiver(sharing_consent_withdrawn, dispatch_uid="referrals.sharing_consent_withdrawn")
def on_sharing_consent_withdrawn(*, candidate: Candidate, by, **kwargs) -> int:
    """A referral waiting for an answer is withdrawn; the counsellor is told."""
    return _withdraw_pending(candidate, by=by, code=TransitionCode.SHARING_WITHDRAWN, account_deleted=False)


@receiver(account_deleted, dispatch_uid="referrals.account_deleted")
def on_account_deleted(*, candidate: Candidate, by, **kwargs) -> int:
    """A referral waiting for an answer is withdrawn (the counsellor is told, without the person's
    name); what counsellors and agents wrote about the person in the referrals is cleared."""
    withdrawn = _withdraw_pending(candidate, by=by, code=TransitionCode.ACCOUNT_DELETED, account_deleted=True)
    Referral.objects.filter(candidate=candidate).update(message="", decline_reason="")
    ReferralTransition.objects.filter(referral__candidate=candidate).update(reason="")
    return withdrawn
