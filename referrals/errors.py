"""The referrals app's domain error: the message is for people."""


class ReferralError(Exception):
    """A referral change the rules do not allow. Nothing was changed. `code`, when given, names
    the rule (callers and tests match on it, never on the sentence)."""

    def __init__(self, message: str = "", *, code: str = ""):
        super().__init__(message)
        self.code = code
