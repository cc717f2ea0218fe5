"""The outbox's tasks. Each has the name of the service it runs; the registered names are those
the broker and beat have always used, so that a message already queued still finds its task.

As in the house style, notifications.services imports this module to publish, and the periodic
tasks import the services in their body."""

from celery import shared_task

from . import delivery


@shared_task(bind=True, max_retries=None, name="notifications.tasks.deliver_outbox_email")
def outbox_deliver(self, pk: int) -> bool:
    """Send one outbox row. The row counts the attempts and gives up (OUTBOX_MAX_ATTEMPTS), so
    Celery's own retry count is unlimited. If the retry cannot be published, the row is already
    pending with its next attempt time: outbox_requeue_overdue sends it."""
    result = delivery.outbox_deliver(pk=pk)
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in)
    return result.sent


@shared_task(name="notifications.tasks.outbox_requeue_due")
def outbox_requeue_overdue() -> int:
    """Every OUTBOX_REQUEUE_SECONDS (5; CELERY_BEAT_SCHEDULE). Safe to run twice at once."""
    from . import services

    return services.outbox_requeue_overdue()


@shared_task(name="notifications.tasks.outbox_failed_report")
def outbox_report_failed() -> int:
    """Every few minutes: tells the coordinators of newly failed emails."""
    from . import services

    return services.outbox_report_failed()
