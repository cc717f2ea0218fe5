from celery import shared_task

from .services import outbox_deliver, outbox_report_failed, outbox_requeue_overdue


@shared_task(bind=True, max_retries=None)
def deliver_outbox_email(self, pk: int) -> bool:
    """Send one outbox row. The row counts the attempts and gives up (OUTBOX_MAX_ATTEMPTS), so
    Celery's own retry count is unlimited. If the retry cannot be published, the row is already
    pending with its next attempt time: outbox_requeue_due sends it."""
    delivery = outbox_deliver(pk=pk)
    if delivery.retry_in is not None:
        raise self.retry(countdown=delivery.retry_in)
    return delivery.sent


@shared_task
def outbox_requeue_due() -> int:
    """Celery beat runs it every minute (CELERY_BEAT_SCHEDULE). Safe to run twice at once."""
    return outbox_requeue_overdue()


@shared_task
def outbox_failed_report() -> int:
    """Celery beat runs it every few minutes: tells the coordinators of newly failed emails."""
    return outbox_report_failed()
