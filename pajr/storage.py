from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import LazyObject


class PrivateStorage(LazyObject):
    """Files people give us (CVs): under MEDIA_ROOT, outside static/, with no public URL. They
    leave only through views that check who asks."""

    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.MEDIA_ROOT, base_url=None)


private_storage = PrivateStorage()
