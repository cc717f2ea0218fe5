"""Secrets that travel in URLs never reach a log: the token of an agent's emailed link
(/r/<token>/) is replaced by "/r/…/" in Django's log records (a filter on the handlers) and in
gunicorn's access log (pajr.gunicorn_logging)."""

import logging
import re

# /r/<token>/ but not the session-bound pages that follow it (/r/lien/<handle>/…).
LINK_TOKEN = re.compile(r"/r/(?!lien/)[^/\s?\"']+")
REDACTED = "/r/…"


def redact(text: str) -> str:
    return LINK_TOKEN.sub(REDACTED, text)


class RedactLinkTokens(logging.Filter):
    """Rewrites a record's message (with its arguments) when it holds a link token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if LINK_TOKEN.search(message):
            record.msg, record.args = redact(message), None
        return True
