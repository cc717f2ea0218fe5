from celery import shared_task

from notifications.models import RENDERED
from notifications.services import outbox_enqueue


@shared_task
def send_rendered_email(*, subject: str, body: str, html: str, to: list[str]) -> None:
    """Kept for the messages already queued when the outbox arrived: they go through the outbox
    like every other email. Nothing publishes this task any more; remove it in a later release."""
    for address in to:
        outbox_enqueue(to=address, language="", template=RENDERED, subject=subject, body=body, html=html)
