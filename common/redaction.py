"""Secrets that travel in URLs never reach a log: the token of an agent's emailed link
(/r/<token>/) is replaced by "/r/…/" in Django's log records (a filter on the handlers) and in
gunicorn's access log (pajr.gunicorn_logging). An email address that slips into a message (an
exception's text, a query string) becomes "[email]" there too."""

import logging
import re

# /r/<token>/ but not the session-bound pages that follow it (/r/lien/<handle>/…).
LINK_TOKEN = re.compile(r"/r/(?!lien/)[^/\s?\"']+")
REDACTED = "/r/…"
EMAIL = re.compile(r"[\w.+-]+(@|%40)[\w-]+(\.[\w-]+)+")
EMAIL_REDACTED = "[email]"


def redact(text: str) -> str:
    return EMAIL.sub(EMAIL_REDACTED, LINK_TOKEN.sub(REDACTED, text))


class RedactLinkTokens(logging.Filter):
    """Rewrites a record's message (with its arguments) when it holds a link token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
