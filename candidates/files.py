"""Files people gave us leave only through here, to those the calling view allowed to see them."""

import logging

from django.http import FileResponse, Http404

from .cv import DOCX
from .models import Candidate

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "pdf": "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def cv_response(candidate: Candidate) -> FileResponse:
    """The CV as an attachment that no browser renders in the site's origin. The caller has
    checked that the reader may see it; a file missing from the storage is a 404."""
    filename = "".join(c for c in candidate.cv_filename if c.isprintable()).strip() or "cv.pdf"
    kind = DOCX if filename.lower().endswith(".docx") else "pdf"
    try:
        stored = candidate.cv.storage.open(candidate.cv.name, "rb")
    except FileNotFoundError:
        logger.warning("cv_response candidate=%s missing file", candidate.pk)
        raise Http404 from None
    response = FileResponse(stored, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[kind])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"  # the CSP middleware leaves a view's own header alone
    return response
