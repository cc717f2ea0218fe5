"""The candidates app's signal the activities app answers (the layers allow no import upwards)."""

from django.dispatch import receiver

from candidates.models import Candidate
from candidates.signals import file_anonymizing

from .services import registrations_forget


@receiver(file_anonymizing, dispatch_uid="activities.file_anonymizing")
def on_file_anonymizing(*, candidate: Candidate, by, reason: str, **kwargs) -> tuple[int, int]:
    """The person's registrations go (withdrawing no referral); their seats go to the waiting lists."""
    return 0, registrations_forget(candidate=candidate)
