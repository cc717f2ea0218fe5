from django.conf import settings
from django.urls import reverse


def absolute_url(viewname: str, *args) -> str:
    """A link for an email: always built from SITE_URL, never from a request's Host header."""
    return settings.SITE_URL + reverse(viewname, args=args)


def send_templated_email(*, to: str, language: str, template: str, context: dict, key: str | None = None):
    """Render templates/emails/<template>{_subject.txt,.txt,.html} in the recipient's language and
    put it in the outbox, in the caller's transaction; it leaves after commit. Give `key` (e.g.
    f"{template}:{object id}:{recipient}") so that a repeated call sends once."""
    from notifications.services import outbox_enqueue

    return outbox_enqueue(to=to, language=language, template=template, context=context, key=key)
