"""The outbox: every email is a row written in the transaction of the change that causes it, then
published to the worker after commit (notifications.tasks, notifications.delivery)."""

import hashlib
import logging
import uuid
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from kombu.exceptions import OperationalError

from accounts.models import User
from common.urls import absolute_url

from . import tasks
from .models import RENDERED, OutboxEmail, OutboxStatus

logger = logging.getLogger(__name__)


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
    try:
        tasks.outbox_deliver.delay(pk)
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
    attachments: list[tuple[str, str, str]] | tuple = (),
) -> OutboxEmail:
    """Write one email to the outbox, in the caller's transaction, and send it after commit.
    `template` names templates/emails/<template>{_subject.txt,.txt,.html}, rendered now in
    `language`; or it is RENDERED and `subject`/`body`/`html` are given. An existing `key`
    returns the existing row: enqueueing twice sends once. `attachments` are (filename,
    mimetype, text content) triples, such as an activity's calendar file."""
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
                attachments=[
                    {"filename": filename, "mimetype": mimetype, "content": content}
                    for filename, mimetype, content in attachments
                ],
            )
    except IntegrityError:
        return OutboxEmail.objects.get(key=key)  # the same key, enqueued at the same moment
    transaction.on_commit(partial(_publish, email.pk))
    return email


def outbox_requeue_overdue() -> int:
    """Publish again the rows due for more than OUTBOX_REQUEUE_AFTER_SECONDS (8) that nobody
    sent: the broker was down when their transaction committed, their message was lost with
    Redis, their worker died mid-send (its unacknowledged message would come back only after the
    broker's visibility timeout, an hour), or the database failed the worker's commit. Beat runs
    this every OUTBOX_REQUEUE_SECONDS (5): such a row goes out within about 15 s of the broker,
    worker or database being back. Each row published is marked due from now (next_attempt_at),
    so that a long burst still queued is published again at most once per period, not at every
    beat. Safe to run twice at once: it only publishes, and delivery sends a row once."""
    now = timezone.now()
    overdue = OutboxEmail.objects.due(now=now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS))
    pks = list(overdue.order_by("next_attempt_at").values_list("pk", flat=True)[:1000])
    if pks:
        OutboxEmail.objects.filter(pk__in=pks, status=OutboxStatus.PENDING).update(next_attempt_at=now)
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


def outbox_forget(*, recipients: set[str] | list[str] = (), refs: dict[str, list[int]] | None = None) -> int:
    """Delete the emails to `recipients` and those about the objects `refs` ({context name: ids},
    e.g. {"candidate": [12]}), whatever their status: a person who leaves the platform leaves no
    address, subject or pending message behind (candidates.services.candidate_anonymize). In the
    caller's transaction. Returns how many rows went."""
    condition = models.Q(recipient__in=[address for address in recipients if address])
    for name, ids in (refs or {}).items():
        if ids:
            condition |= models.Q(**{f"context__{name}__in": list(ids)})
    deleted, _by_model = OutboxEmail.objects.filter(condition).delete()
    return deleted
