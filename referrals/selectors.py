from candidates.models import Candidate

from .forms import ReferralSendForm


def referral_file_context(candidate: Candidate, *, is_mature: bool) -> dict:
    """What the counsellor's file page needs to show and send referrals."""
    first_target = candidate.first_target
    return {
        "form": ReferralSendForm(initial={"territory": first_target.pk if first_target else None}, mature=is_mature),
    }
