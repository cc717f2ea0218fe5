"""What the candidates app does when Django says a row went, or the accounts app that a person
changed their account."""

from django.db import transaction

from .models import Candidate
from .services import candidate_follow_account


def delete_cv_with_file(*, instance: Candidate, **kwargs) -> None:
    """A file deleted outright (the admin's delete, a cascade) takes its CV with it, once the
    deletion is committed: no path leaves a CV on disk or in the bucket."""
    if name := instance.cv.name if instance.cv else "":
        storage = instance.cv.storage
        transaction.on_commit(lambda: storage.delete(name))


def follow_account(*, user, fields: list[str], **kwargs) -> None:
    """accounts.signals.account_changed: the file keeps the person's name and language."""
    candidate_follow_account(user=user, fields=fields)
