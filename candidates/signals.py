"""The only two ways the candidates app tells a higher app that something happened (the layers
allow no import upwards). The referrals app receives both (referrals.receivers), inside the
sender's transaction, after the sender has locked the candidate's row (candidates.locks).

- sharing_consent_withdrawn(candidate, by): the person no longer consents to sharing their file
  with PAJ agents; a referral waiting for an answer must be withdrawn.
  Receivers return how many referrals they withdrew (the sender logs it).
- file_anonymizing(candidate, by, reason): the file is being anonymized (the person deleted
  their account, the officer or the retention purge decided: an AnonymizationReason); their
  referrals must be withdrawn, and what was written about them in the referrals and the emails
  about those referrals removed, before the file itself is cleared. Receivers return a pair:
  (referrals withdrawn, outbox rows removed)."""

from django.dispatch import Signal

sharing_consent_withdrawn = Signal()
file_anonymizing = Signal()


def withdrawn_count(responses: list[tuple]) -> int:
    """The sum of what the receivers returned (Signal.send's list of (receiver, response))."""
    return sum(response or 0 for _receiver, response in responses)
