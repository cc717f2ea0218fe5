"""The bench's one task. Here, in the app's tasks module, so that `app.autodiscover_tasks()`
registers it in every worker, the bench's included; nothing but the bench publishes it."""

from celery import shared_task
from django.core.mail import EmailMessage

NOTIFY_BASELINE_TASK = "devtools.tasks.bench_plain_email"


@shared_task(name=NOTIFY_BASELINE_TASK)
def bench_plain_email(*, to: str, subject: str, body: str, message_id: str) -> None:
    """notify_baseline's task: Celery alone, one plain email per task, no database."""
    EmailMessage(subject=subject, body=body, to=[to], headers={"Message-ID": message_id}).send()
