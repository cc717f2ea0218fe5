from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def absolute_url(viewname: str, *args) -> str:
    """A link for an email: always built from SITE_URL, never from a request's Host header."""
    return settings.SITE_URL + reverse(viewname, args=args)


def send_templated_email(*, to: str, language: str, template: str, context: dict) -> None:
    """Render templates/emails/<template>{_subject.txt,.txt,.html} in the recipient's language and send."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()
