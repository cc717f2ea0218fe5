"""Sending one outbox row over SMTP, once: the worker's side of the outbox (notifications.tasks)."""

import contextlib
import functools
import logging
import random
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.policy import SMTP, EmailPolicy
from email.policy import default as default_policy

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.dispatch import receiver
from django.utils import timezone

from .models import OutboxEmail, OutboxStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    sent: bool = False
    retry_in: float | None = None  # seconds until the next attempt, when one is due


def outbox_backoff(attempts: int) -> float:
    """Exponential, capped, with jitter: half the delay fixed, half random, so that rows failing
    together spread out and the delay never collapses to nothing."""
    delay = min(settings.OUTBOX_RETRY_MAX_SECONDS, settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (attempts - 1))
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 (not for secrets)


@functools.lru_cache(maxsize=16)
def _parse_repeated(name: str, value: str) -> tuple[str, str]:
    return SMTP.header_store_parse(name, value)


@functools.lru_cache(maxsize=16)
def _fold_repeated(name: str, value: str) -> bytes:
    return SMTP.fold_binary(name, SMTP.header_factory(name, value))


class _FoldFromOnce(EmailPolicy):
    """email.policy.SMTP, with the sender's header parsed and folded once per process. Every email
    has the same From ("Place aux jeunes – Emplois en régions <…>"), and folding a display name
    with accents into RFC 2047 words costs the standard library 1.5 ms, a quarter of an email's
    sending (parsing the address, 0.4 ms more). Both depend only on the name and the value (the
    parsed header is an immutable string): the bytes are those SMTP writes
    (tests/notifications/test_outbox.py compares them)."""

    def header_store_parse(self, name: str, value) -> tuple[str, str]:
        if name.lower() in REPEATED_HEADERS and type(value) is str:
            return _parse_repeated(name, value)
        return super().header_store_parse(name, value)

    def fold_binary(self, name: str, value) -> bytes:
        if name.lower() in REPEATED_HEADERS:
            return _fold_repeated(name, str(value))
        return super().fold_binary(name, value)


REPEATED_HEADERS = frozenset({"from", "reply-to", "sender"})
SMTP_FOLD_FROM_ONCE = _FoldFromOnce(linesep=SMTP.linesep)


class _OutboxMessage(EmailMultiAlternatives):
    """Sent through Django's SMTP backend, which asks for email.policy.SMTP."""

    def message(self, *, policy=default_policy):
        return super().message(policy=SMTP_FOLD_FROM_ONCE if policy is SMTP else policy)


def _message(email: OutboxEmail) -> EmailMultiAlternatives:
    message = _OutboxMessage(
        subject=email.subject, body=email.body, to=[email.recipient], headers={"Message-ID": email.message_id}
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    for attachment in email.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return message


class _Mailer:
    """One open connection to the mail server per worker process, reused from one email to the
    next (a TLS handshake per email costs more than the email), reopened once when the server
    has closed it meanwhile. Reset when the mail settings change (tests)."""

    def __init__(self) -> None:
        self.connection = None

    def send(self, message: EmailMultiAlternatives) -> None:
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = mailers.default
                self.connection.open()
            try:
                self.connection.send_messages([message])
                return
            except smtplib.SMTPServerDisconnected:
                # An idle connection the server dropped: nothing of this message was accepted.
                self.reset()
                if attempt == 2:
                    raise
            except (smtplib.SMTPException, OSError):
                self.reset()  # the next email starts on a fresh connection
                raise

    def reset(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.close()


_mailer = _Mailer()


@receiver(setting_changed)
def _mail_settings_changed(*, setting: str, **kwargs) -> None:
    if setting in ("MAILERS", "EMAIL_BACKEND"):
        _mailer.reset()


def outbox_deliver(*, pk: int) -> Delivery:
    """Send one row if it is still pending and due, and mark it sent. Safe to run twice, at once
    or one after the other: the row is locked for the whole attempt, and a second worker skips
    it (or, on SQLite, waits for the first and then finds it sent).

    The lock is held across the SMTP conversation, so a worker killed before the server accepted
    leaves the row pending (its lock dies with its connection) and the redelivered task sends it.
    The one window nothing closes: killed after the server accepted and before the commit. The
    email then goes out twice, with the same Message-ID (see OutboxEmail.message_id)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The "sent" mark need not wait for the disk: if PostgreSQL crashed in the next
            # fraction of a second, the email would go out again with the same Message-ID, the
            # window this function already documents. Saves a log flush per email.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        rows = OutboxEmail.objects.select_for_update(
            skip_locked=connection.features.has_select_for_update_skip_locked
        ).filter(pk=pk)
        email = rows.first()
        if email is None or email.status != OutboxStatus.PENDING or email.next_attempt_at > timezone.now():
            return Delivery()  # sent, failed, not due, or another worker holds it
        try:
            _mailer.send(_message(email))
        except (smtplib.SMTPException, OSError) as error:
            email.attempts += 1
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                email.status = OutboxStatus.FAILED
                retry_in = None
                logger.error("outbox=%s failed after %s attempts: %s", pk, email.attempts, email.last_error)
            else:
                retry_in = outbox_backoff(email.attempts)
                email.next_attempt_at = timezone.now() + timedelta(seconds=retry_in)
                logger.warning("outbox=%s attempt %s failed, next in %.1f s", pk, email.attempts, retry_in)
            email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return Delivery(retry_in=retry_in)
        email.status = OutboxStatus.SENT
        email.sent_at = timezone.now()
        email.attempts += 1
        email.body = email.html = ""  # they may hold a live link or code: not kept once delivered
        email.attachments = []
        email.save(update_fields=["status", "sent_at", "attempts", "body", "html", "attachments"])
    return Delivery(sent=True)
