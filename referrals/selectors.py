from candidates.models import Candidate

from .forms import ReferralSendForm, ReferralWithdrawForm


def referral_file_context(candidate: Candidate, *, is_mature: bool) -> dict:
    """What the counsellor's file page needs to show and send referrals. `candidate` comes with
    its targets and referrals prefetched."""
    return {
        "form": ReferralSendForm.for_candidate(candidate, mature=is_mature),
        "withdraw_form": ReferralWithdrawForm(),
    }
