"""What each log line says about the request it belongs to: the request's id and the signed-in
user's id, never who they are (their email or name). The middleware (pajr.middleware) sets them
for the time of one request; this filter copies them onto every record."""

import contextvars
import logging
import re
import uuid

import pythonjsonlogger.json

from .redaction import redact

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
user_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("user_id", default=None)

# An id from the proxy (X-Request-ID) is kept when it looks like one: letters, digits, . _ -
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id_from(header: str | None) -> str:
    """The proxy's id when it is sane, else a new one."""
    if header and SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.user_id = user_id.get()
        return True


class PlainFormatter(logging.Formatter):
    """Lines for a laptop; an exception's text goes through common.redaction too."""

    def formatException(self, ei) -> str:
        return redact(super().formatException(ei))


class JsonFormatter(pythonjsonlogger.json.JsonFormatter):
    """One JSON object a line (production); an exception's text goes through common.redaction."""

    def formatException(self, ei) -> str:
        return redact(super().formatException(ei))
