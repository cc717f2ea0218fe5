"""Uploads bounded as they stream in: no file part larger than UPLOAD_MAX_BYTES is kept, in
memory or on disk. The form then says the file was too large (`oversized_uploads`)."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class BoundedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: counts each file part's bytes and, past the limit, skips
    the rest of it (the handlers after it never get a byte more, and drop what they had). The
    names of the fields whose file was skipped are in `request.oversized_uploads`."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            oversized = getattr(self.request, "oversized_uploads", set())
            oversized.add(self.field_name)
            self.request.oversized_uploads = oversized
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file
