from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateStorage(LazyObject):
    """Files people give us (CVs): under MEDIA_ROOT, outside static/, with no public URL. They
    leave only through views that check who asks."""

    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.MEDIA_ROOT, base_url=None)


private_storage = PrivateStorage()


def get_private_storage() -> PrivateStorage:
    """For FileField(storage=...): a callable keeps the machine's path out of the migrations."""
    return private_storage


@receiver(setting_changed)
def _reset_private_storage(*, setting: str, **kwargs) -> None:
    """Read MEDIA_ROOT again after a test overrides it, so tests never write to the real one."""
    if setting == "MEDIA_ROOT":
        private_storage._wrapped = empty
