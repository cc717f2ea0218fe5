"""What the candidates app does when Django says a row went."""

from django.db import transaction

from .models import Candidate


def delete_cv_with_file(*, instance: Candidate, **kwargs) -> None:
    """A file deleted outright (the admin's delete, a cascade) takes its CV with it, once the
    deletion is committed: no path leaves a CV on disk or in the bucket."""
    if name := instance.cv.name if instance.cv else "":
        storage = instance.cv.storage
        transaction.on_commit(lambda: storage.delete(name))
