"""The candidates app's signal the activities app answers (the layers allow no import upwards),
and the activities' own changes that the kept calendar (selectors.upcoming_ends) follows."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from candidates.models import Candidate
from candidates.signals import file_anonymizing
from common.kept import forget_changed

from .models import Activity
from .selectors import KEPT
from .services import registrations_forget


@receiver(post_save, sender=Activity, dispatch_uid="activities.kept-save")
@receiver(post_delete, sender=Activity, dispatch_uid="activities.kept-delete")
def forget_kept(**kwargs) -> None:
    """An activity created, published, cancelled, moved or deleted: every process reads which
    territories have activities to come again."""
    forget_changed(KEPT)


@receiver(file_anonymizing, dispatch_uid="activities.file_anonymizing")
def on_file_anonymizing(*, candidate: Candidate, by, reason: str, **kwargs) -> tuple[int, int]:
    """The person's registrations go (withdrawing no referral); their seats go to the waiting lists."""
    return 0, registrations_forget(candidate=candidate)
