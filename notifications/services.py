import contextlib
import hashlib
import logging
import random
import smtplib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.signals import setting_changed
from django.db import IntegrityError, connection, models, transaction
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone, translation
from kombu.exceptions import OperationalError

from .models import RENDERED, OutboxEmail, OutboxStatus

logger = logging.getLogger(__name__)

# A row due for longer than this and still pending was never picked up (the broker was down
# when its transaction committed, or the task's message was lost): the periodic task sends it.
REQUEUE_AFTER = timedelta(minutes=1)


def _render(*, template: str, language: str, context: dict) -> tuple[str, str, str]:
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    return subject, text, html


def _publish(pk: int) -> None:
    """Hand the row to the broker. If the broker does not answer (the publish retry policy gives
    up within about a second), the row waits for `outbox_requeue_due`: the request goes on."""
    from .tasks import deliver_outbox_email

    try:
        deliver_outbox_email.delay(pk)
    except (OperationalError, ConnectionError) as error:
        logger.warning("outbox=%s not published (%s); outbox_requeue_due will send it", pk, error)


def outbox_enqueue(
    *,
    to: str,
    language: str,
    template: str,
    context: dict | None = None,
    key: str | None = None,
    subject: str = "",
    body: str = "",
    html: str = "",
) -> OutboxEmail:
    """Write one email to the outbox, in the caller's transaction, and send it after commit.
    `template` names templates/emails/<template>{_subject.txt,.txt,.html}, rendered now in
    `language`; or it is RENDERED and `subject`/`body`/`html` are given. An existing `key`
    returns the existing row: enqueueing twice sends once."""
    key = key or f"{template}:{uuid.uuid4().hex}"
    if existing := OutboxEmail.objects.filter(key=key).first():
        return existing
    context = context or {}
    if template != RENDERED:
        subject, body, html = _render(template=template, language=language, context=context)
    refs = {name: value.pk for name, value in context.items() if isinstance(value, models.Model)}
    try:
        with transaction.atomic():
            email = OutboxEmail.objects.create(
                key=key,
                recipient=to,
                language=language,
                template=template,
                context=refs,
                subject=subject,
                body=body,
                html=html,
            )
    except IntegrityError:
        return OutboxEmail.objects.get(key=key)  # the same key, enqueued at the same moment
    transaction.on_commit(partial(_publish, email.pk))
    return email


@dataclass(frozen=True)
class Delivery:
    sent: bool = False
    retry_in: float | None = None  # seconds until the next attempt, when one is due


def outbox_backoff(attempts: int) -> float:
    """Exponential, capped, with jitter: half the delay fixed, half random, so that rows failing
    together spread out and the delay never collapses to nothing."""
    delay = min(settings.OUTBOX_RETRY_MAX_SECONDS, settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (attempts - 1))
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 (not for secrets)


def _message(email: OutboxEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.body, to=[email.recipient], headers={"Message-ID": email.message_id}
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
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
        email.save(update_fields=["status", "sent_at", "attempts", "body", "html"])
    return Delivery(sent=True)


def outbox_requeue_overdue() -> int:
    """Publish again the rows due for more than REQUEUE_AFTER that nobody sent. Safe to run twice
    at once: it only publishes, and delivery sends a row once."""
    pks = list(
        OutboxEmail.objects.due(now=timezone.now() - REQUEUE_AFTER)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:1000]
    )
    for pk in pks:
        _publish(pk)
    if pks:
        logger.info("outbox_requeue_overdue published=%s", len(pks))
    return len(pks)


def outbox_send_again(*, emails: models.QuerySet) -> int:
    """The admin's "send again": failed rows become pending, with a fresh count of attempts."""
    with transaction.atomic():
        pks = list(emails.select_for_update().filter(status=OutboxStatus.FAILED).values_list("pk", flat=True))
        OutboxEmail.objects.filter(pk__in=pks).update(
            status=OutboxStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), failure_reported_at=None
        )
        for pk in pks:
            transaction.on_commit(partial(_publish, pk))
    return len(pks)


# The coordinators' report of failed emails. Its own failures are never reported (no loop).
FAILED_REPORT_TEMPLATE = "outbox_failed_coordinator"
# The report lists at most this many rows (and says how many more); the admin lists them all.
FAILED_REPORT_LISTED = 50


def outbox_report_failed() -> int:
    """The periodic report: email each active coordinator one list of the rows that failed since
    the last report, and mark them reported in the same transaction. Safe to run twice at once:
    the rows are locked (a second run skips them, or on SQLite waits and finds them reported) and
    the key is derived from the rows. Without any active coordinator nothing is marked: the next
    run tries again. Returns the number of failed rows reported."""
    from accounts.models import User
    from pajr.emails import absolute_url

    coordinators = list(User.objects.filter(role=User.Role.COORDINATOR, is_active=True).order_by("pk"))
    with transaction.atomic():
        failed = list(
            OutboxEmail.objects.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
            .filter(status=OutboxStatus.FAILED, failure_reported_at__isnull=True)
            .exclude(template=FAILED_REPORT_TEMPLATE)
            .order_by("pk")[:1000]
        )
        if not failed:
            return 0
        if not coordinators:
            logger.error("outbox_report_failed: %s failed emails and no active coordinator to tell", len(failed))
            return 0
        digest = hashlib.sha256(",".join(str(email.pk) for email in failed).encode()).hexdigest()[:16]
        link = absolute_url("admin:notifications_outboxemail_changelist") + "?status__exact=failed"
        for coordinator in coordinators:
            outbox_enqueue(
                to=coordinator.email,
                language=coordinator.language,
                template=FAILED_REPORT_TEMPLATE,
                context={
                    "coordinator": coordinator,
                    "emails": failed[:FAILED_REPORT_LISTED],
                    "count": len(failed),
                    "more": max(0, len(failed) - FAILED_REPORT_LISTED),
                    "link": link,
                },
                key=f"{FAILED_REPORT_TEMPLATE}:{coordinator.pk}:{digest}",
            )
        OutboxEmail.objects.filter(pk__in=[email.pk for email in failed]).update(failure_reported_at=timezone.now())
    logger.warning("outbox_report_failed reported=%s coordinators=%s", len(failed), len(coordinators))
    return len(failed)
