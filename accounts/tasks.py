from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from referrals.tasks import RETRY


@shared_task(**RETRY)
def send_rendered_email(*, subject: str, body: str, html: str, to: list[str]) -> None:
    """Send an email rendered by the web process (the account emails allauth composes)."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
