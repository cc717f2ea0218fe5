"""The development mailbox: with DEBUG on and no EMAIL_URL, every email is kept as a .eml file under
var/mail/ and shown at /dev/courriels/, so that the whole path can be walked in a browser alone."""

import email
import email.policy
import ipaddress
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

NAME_RE = re.compile(r"[0-9]{8}T[0-9]{12}-[0-9a-f]{32}\.eml")


class DevMailboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(settings.DEV_MAILBOX_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex}.eml"
            tmp = folder / f".{name}.tmp"
            tmp.write_bytes(message.message().as_bytes())
            tmp.rename(folder / name)  # atomic: the mailbox never shows half a message
        return len(email_messages)


@dataclass
class StoredEmail:
    name: str
    sent_at: datetime
    subject: str
    to: str
    text: str
    html: str


def _read(path: Path) -> StoredEmail:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    return StoredEmail(
        name=path.name,
        sent_at=datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.get_current_timezone()),
        subject=str(parsed["subject"] or ""),
        to=str(parsed["to"] or ""),
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
    )


def _from_this_machine(request: HttpRequest) -> bool:
    """A request from the loopback address that no proxy forwarded: the developer's own browser.
    The mailbox shows every sign-in code; a DEBUG instance reachable from elsewhere must not."""
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = any(key in request.META for key in ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP"))
    try:
        return ipaddress.ip_address(address).is_loopback and not forwarded
    except ValueError:
        return False


def _mailbox(request: HttpRequest) -> list[Path]:
    folder = Path(settings.DEV_MAILBOX_DIR)
    if not settings.DEBUG or not _from_this_machine(request):
        raise Http404
    return sorted(folder.glob("*.eml"), reverse=True) if folder.is_dir() else []


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    emails = [_read(path) for path in _mailbox(request)[:100]]
    return render(request, "dev/mailbox.html", {"emails": emails})


@require_GET
def html_part(request: HttpRequest, name: str) -> HttpResponse:
    """The HTML version, alone and sandboxed: no script, no form, no same-origin access."""
    paths = {p.name: p for p in _mailbox(request)}
    if not NAME_RE.fullmatch(name) or name not in paths:
        raise Http404
    response = HttpResponse(_read(paths[name]).html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = (
        "sandbox allow-popups allow-top-navigation-by-user-activation; "
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    )
    return response
