from accounts.models import User
from referrals.models import Referral

from .models import Candidate, Consent


def can_view_cv(user: User, candidate: Candidate) -> bool:
    """Who may see a candidate's CV: the candidate; EER counsellors and coordinators; an active
    PAJ agent signed in with their own account, for a candidate referred to one of their
    territories (whatever became of the referral) who currently consents to sharing."""
    if not user.is_authenticated or not user.is_active:
        return False
    if candidate.user_id is not None and candidate.user_id == user.pk:
        return True
    if user.is_counsellor:
        # For now every counsellor sees every file; issue 4 narrows this to their own candidates.
        return True
    return Referral.objects.filter(
        candidate=candidate, territory__agents__user=user, territory__agents__is_active=True
    ).exists() and candidate.has_consent(Consent.Purpose.SHARING)
