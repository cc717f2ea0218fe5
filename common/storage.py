from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateStorage(LazyObject):
    """Files people give us (CVs): the "private" storage of settings.STORAGES, the folder
    MEDIA_ROOT by default (outside static/, with no URL) or a private S3 bucket. They leave only
    through views that check who asks (candidates.files)."""

    def _setup(self):
        self._wrapped = storages["private"]


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    """For FileField(storage=...): a callable keeps the machine's path out of the migrations."""
    return private_storage


@receiver(setting_changed)
def _reset_private_storage(*, setting: str, **kwargs) -> None:
    """Read the settings again after a test overrides them, so tests never write to the real
    folder or bucket (Django itself forgets its storages when STORAGES changes)."""
    if setting in ("MEDIA_ROOT", "STORAGES"):
        private_storage._wrapped = empty
