"""Reads across the candidates and the referrals that apply permissions."""

from accounts.models import User
from candidates.models import Candidate, Consent

from .models import Referral, ReferralStatus


def can_view_cv(user: User, candidate: Candidate) -> bool:
    """Who may see a candidate's CV: the candidate; EER counsellors and coordinators; an active
    PAJ agent signed in with their own account, for a candidate referred to one of their
    territories (whatever became of the referral) who currently consents to sharing."""
    if not user.is_authenticated or not user.is_active:
        return False
    if candidate.user_id is not None and candidate.user_id == user.pk:
        return True
    if user.is_counsellor:
        # Every EER counsellor may open every file: they triage together, cover for each other,
        # and the dashboard has an "all files" list. Each opening of a file is logged (FileAccess).
        return True
    return (
        Referral.objects.filter(candidate=candidate, territory__agents__user=user, territory__agents__is_active=True)
        .exclude(status=ReferralStatus.QUEUED)  # a territory further down the list has not received it
        .exists()
        and candidate.has_consent(Consent.Purpose.SHARING)
    )
