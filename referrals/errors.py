"""The referrals app's domain error: the message is for people."""


class ReferralError(Exception):
    """A referral change the rules do not allow. Nothing was changed."""
