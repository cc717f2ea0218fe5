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


def cv_filename(candidate: Candidate) -> str:
    """The CV's file name as the person gave it, without characters that cannot be printed."""
    return "".join(c for c in candidate.cv_filename if c.isprintable() and c not in "/\\").strip() or "cv.pdf"


def cv_content(candidate: Candidate) -> tuple[str, bytes] | None:
    """The CV's file name and bytes (for a ZIP export), or None without a CV or its file."""
    if not candidate.cv:
        return None
    try:
        with candidate.cv.storage.open(candidate.cv.name, "rb") as stored:
            return cv_filename(candidate), stored.read()
    except FileNotFoundError:
        logger.warning("cv_content candidate=%s missing file", candidate.pk)
        return None


def cv_response(candidate: Candidate) -> FileResponse:
    """The CV as an attachment that no browser renders in the site's origin. The caller has
    checked that the reader may see it; a file missing from the storage is a 404."""
    filename = cv_filename(candidate)
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
