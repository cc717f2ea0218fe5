"""The CV a candidate uploads: PDF or DOCX, at most 5 MB, checked by its content, never by its
name or the Content-Type the browser claims."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

MAX_BYTES = 5 * 1024 * 1024
PDF, DOCX = "pdf", "docx"


def validate_cv(file: UploadedFile) -> str:
    """Return the file's kind ("pdf" or "docx"); raise ValidationError with a message for people."""
    if file.size > MAX_BYTES:
        raise ValidationError(_("Le fichier dépasse 5 Mo. Envoyez une version plus légère."), code="too_big")
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return DOCX
    raise ValidationError(_("Envoyez votre CV en PDF ou en Word (DOCX)."), code="kind")
