import datetime
import email.policy

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse
from django.utils import timezone

from notifications import delivery
from notifications.delivery import outbox_backoff, outbox_deliver
from notifications.models import RENDERED, OutboxEmail, OutboxStatus
from notifications.services import outbox_enqueue, outbox_requeue_overdue
from notifications.tasks import outbox_requeue_overdue as outbox_requeue_due
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def enqueue(key: str | None = "test:1", body: str = "Body") -> OutboxEmail:
    return outbox_enqueue(
        to="agent@paj.example.org",
        language="en",
        template=RENDERED,
        subject="Subject",
        body=body,
        html=f"<p>{body}</p>",
        key=key,
    )


def test_the_same_key_enqueues_once_and_sends_once(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = enqueue()
        second = enqueue()

    assert first.pk == second.pk
    assert OutboxEmail.objects.count() == 1
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1


def test_nothing_leaves_before_commit(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        email = enqueue()
    assert mailoutbox == []
    assert email.status == OutboxStatus.PENDING

    callbacks[0]()  # the commit: the task is published (eager here) and sends

    email.refresh_from_db()
    assert len(mailoutbox) == 1
    assert (email.status, email.attempts) == (OutboxStatus.SENT, 1)
    assert email.sent_at is not None


def test_a_second_delivery_of_the_same_row_does_nothing(mailoutbox):
    email = enqueue()

    assert outbox_deliver(pk=email.pk).sent
    assert not outbox_deliver(pk=email.pk).sent

    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1
    assert (email.body, email.html) == ("", "")  # a sent email keeps no live link


def test_the_message_id_is_derived_from_the_row_and_stable(mailoutbox):
    email = enqueue()
    outbox_deliver(pk=email.pk)

    again = OutboxEmail.objects.get(pk=email.pk)
    assert mailoutbox[0].extra_headers["Message-ID"] == email.message_id == again.message_id
    assert email.message_id.startswith(f"<outbox-{email.pk}-")
    assert email.message_id.endswith("@pajr.localhost>")
    assert enqueue(key="test:2").message_id != email.message_id


def test_templates_are_rendered_at_enqueue_in_the_recipients_language(territory):
    referral = ReferralFactory(candidate__target_territory=territory)
    agent = territory.agents.get()

    email = outbox_enqueue(
        to=agent.email,
        language="en",
        template="referral_new_agent",
        context={"referral": referral, "agent": agent, "link": "https://x.test/r/secret/"},
    )

    assert email.subject.startswith("New referral")
    assert "https://x.test/r/secret/" in email.body and "https://x.test/r/secret/" in email.html
    assert email.context == {"referral": referral.pk, "agent": agent.pk}  # ids only: no link, no token


def test_an_smtp_refusal_is_retried_with_backoff_then_sent(refusing_smtp, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 10
    refusing_smtp.refuse = 2
    email = enqueue()

    before = timezone.now()
    first = outbox_deliver(pk=email.pk)
    email.refresh_from_db()
    assert not first.sent and 5 <= first.retry_in <= 10
    assert (email.status, email.attempts) == (OutboxStatus.PENDING, 1)
    assert "451" in email.last_error
    assert email.next_attempt_at >= before + datetime.timedelta(seconds=5)

    assert not outbox_deliver(pk=email.pk).sent  # not due yet: nothing happens
    assert refusing_smtp.refused == 1

    OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    second = outbox_deliver(pk=email.pk)
    assert 10 <= second.retry_in <= 20  # the delay doubles
    OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert outbox_deliver(pk=email.pk).sent

    [received] = refusing_smtp.received
    assert received.message["Message-ID"] == email.message_id
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxStatus.SENT, 3)


def test_the_backoff_is_capped_and_jittered(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS, settings.OUTBOX_RETRY_MAX_SECONDS = 5, 600
    delays = {outbox_backoff(20) for _ in range(20)}
    assert all(300 <= d <= 600 for d in delays)
    assert len(delays) > 1


def test_after_the_last_attempt_the_row_fails_and_the_admin_sends_it_again(
    refusing_smtp, settings, admin_client, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    refusing_smtp.refuse = 3
    email = enqueue()
    for _ in range(3):
        OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        outbox_deliver(pk=email.pk)

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxStatus.FAILED, 3)
    changelist = reverse("admin:notifications_outboxemail_changelist")
    page = admin_client.get(changelist, {"status__exact": "failed"}).content.decode()
    assert "agent@paj.example.org" in page and "451" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(changelist, {"action": "send_again", "_selected_action": [email.pk]})

    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == OutboxStatus.SENT
    assert len(refusing_smtp.received) == 1


def test_the_admin_never_shows_the_body(admin_client):
    email = enqueue(body="https://x.test/r/live-token/")

    page = admin_client.get(reverse("admin:notifications_outboxemail_change", args=[email.pk])).content.decode()

    assert "live-token" not in page
    assert email.message_id.strip("<>") in page
    assert not site._registry[OutboxEmail].has_change_permission(None)


def test_the_periodic_task_publishes_rows_overdue_by_more_than_8_seconds(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():  # the broker "was down": nothing published
        waiting = enqueue(key="test:waiting")
        enqueue(key="test:fresh")
        later = enqueue(key="test:later")
    long_ago = timezone.now() - datetime.timedelta(seconds=9)
    OutboxEmail.objects.filter(pk=waiting.pk).update(next_attempt_at=long_ago)
    OutboxEmail.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + datetime.timedelta(minutes=5))

    assert outbox_requeue_due() == 1
    assert outbox_requeue_overdue() == 0  # sent: a second run finds nothing

    assert [m.subject for m in mailoutbox] == ["Subject"]
    statuses = dict(OutboxEmail.objects.values_list("key", "status"))
    assert statuses == {"test:waiting": "sent", "test:fresh": "pending", "test:later": "pending"}


def test_a_broker_that_does_not_answer_leaves_the_row_waiting(
    mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    """The request goes on; the row waits for the periodic task."""
    from kombu.exceptions import OperationalError

    from notifications import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(tasks.outbox_deliver, "delay", broker_down)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = enqueue()  # the commit publishes, and the publish fails without an error

    assert len(callbacks) == 1

    email.refresh_from_db()
    assert email.status == OutboxStatus.PENDING
    assert mailoutbox == []


def test_an_attachment_travels_with_the_email_and_is_emptied_once_sent(mailoutbox, django_capture_on_commit_callbacks):
    calendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        email = outbox_enqueue(
            to="person@example.org",
            language="fr",
            template=RENDERED,
            subject="Sujet",
            body="Texte",
            attachments=[("activite.ics", "text/calendar", calendar)],
        )

    [message] = mailoutbox
    assert message.attachments[0].filename == "activite.ics"
    assert message.attachments[0].mimetype == "text/calendar"
    assert message.attachments[0].content == calendar
    email.refresh_from_db()
    assert email.status == OutboxStatus.SENT and email.attachments == []


def test_the_periodic_task_publishes_a_row_at_most_once_per_period(django_capture_on_commit_callbacks, settings):
    """A row still queued behind a long burst (or whose message is lost) is published again once,
    then marked due from now: the next beat, 5 s later, leaves it alone; 8 s on, if still unsent,
    it is published again."""
    settings.CELERY_TASK_ALWAYS_EAGER = False  # publish to the broker, do not run here
    with django_capture_on_commit_callbacks():
        email = enqueue(key="test:queued")
    OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=9))

    published = []
    from notifications import services

    original = services._publish
    services._publish = published.append
    try:
        assert outbox_requeue_overdue() == 1
        assert outbox_requeue_overdue() == 0  # the next beat: published a moment ago
        OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=9))
        assert outbox_requeue_overdue() == 1
    finally:
        services._publish = original
    assert published == [email.pk, email.pk]
    email.refresh_from_db()
    assert email.status == "pending" and email.next_attempt_at > timezone.now() - datetime.timedelta(seconds=2)


@pytest.mark.parametrize(
    "sender",
    [
        "Place aux jeunes – Emplois en régions <ne-pas-repondre@pajr.example.org>",
        '"Roy, Émilie (PAJ)" <emilie.roy@paj.example.org>',
        "plain@pajr.example.org",
        "Un nom très, très long pour un expéditeur, qui dépasse la ligne de soixante-dix-huit caractères <x@y.example>",
    ],
)
def test_the_sender_folded_once_writes_the_bytes_the_smtp_policy_writes(sender):
    """The outbox's messages fold their From header once per process (delivery._FoldFromOnce):
    the bytes on the wire are those of email.policy.SMTP, for one sender or several."""
    for _ in range(2):  # the second time from the cache
        message = delivery._OutboxMessage(
            subject="Nouvelle orientation : Émilie", body="Bonjour", from_email=sender, to=["agent@paj.example.org"]
        )
        message.attach_alternative("<p>Bonjour</p>", "text/html")
        sent = message.message(policy=email.policy.SMTP)
        assert sent.policy is delivery.SMTP_FOLD_FROM_ONCE
        assert sent.as_bytes() == sent.as_bytes(policy=email.policy.SMTP)
    assert delivery._fold_repeated.cache_info().hits >= 1
