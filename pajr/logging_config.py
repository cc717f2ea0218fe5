"""The logging configuration the settings install: one JSON object a line (json=True) or plain
lines, each record with the request's id and the user's id, link tokens and emails redacted
(common.logs, common.redaction)."""


def logging_config(*, json: bool, level: str) -> dict:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {
                "()": "common.logs.PlainFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
            },
            "json": {
                "()": "common.logs.JsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "filters": {
            "request_context": {"()": "common.logs.RequestContext"},
            "redact_link_tokens": {"()": "common.redaction.RedactLinkTokens"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if json else "plain",
                "filters": ["request_context", "redact_link_tokens"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}, "pikepdf": {"level": "WARNING"}},
    }
