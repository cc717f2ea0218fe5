"""Error reports (sentry-sdk), only when SENTRY_DSN is set (pajr.settings), without personal
data: send_default_pii off (left unset, which the SDK takes as False: since 2.7x passing it
warns that it is deprecated) and its successor `data_collection` saying the same category by
category (no cookies, headers, query strings, bodies, user identity or frame locals), and
`scrub` on every event, which keeps a request's method and path (link tokens
redacted), the user's id only, and replaces whatever still looks like an email address or a
phone number."""

import re
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from .redaction import redact

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w/])\+?\d[\d ().-]{7,}\d(?!\w)")
REDACTED = "[redacted]"
KEPT_HEADERS = {"content-type", "content-length", "x-request-id"}


def scrub_text(text: str) -> str:
    return PHONE.sub(REDACTED, EMAIL.sub(REDACTED, redact(text)))


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items() if key != "vars"}  # frame locals
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def scrub(event: dict, hint: dict | None = None) -> dict:
    """before_send (and before_send_transaction): the event without personal data."""
    request = event.get("request")
    if isinstance(request, dict):
        event["request"] = {
            "method": request.get("method"),
            "url": request.get("url"),
            "headers": {k: v for k, v in (request.get("headers") or {}).items() if k.lower() in KEPT_HEADERS},
        }
    if isinstance(event.get("user"), dict):
        event["user"] = {"id": event["user"].get("id")} if event["user"].get("id") else {}
    for breadcrumb in (event.get("breadcrumbs") or {}).get("values", []):
        breadcrumb.pop("data", None)
    return _scrub(event)


def scrub_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    crumb.pop("data", None)
    return _scrub(crumb)


def sentry_init(*, dsn: str, environment: str = "production", release: str | None = None, transport=None) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "off"}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "stack_frame_variables": False,
        },
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub,
        before_send_transaction=scrub,
        before_breadcrumb=scrub_breadcrumb,
        traces_sample_rate=0,
        transport=transport,
    )
