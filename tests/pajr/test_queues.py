"""Two Celery queues: `emails` for the outbox's sending, `default` for everything else, so that a
burst of emails never delays the purge or the reminders."""

from django.conf import settings

from devtools.rig import own_queue
from pajr.celery import app as celery_app


def queue_of(task_name: str) -> str:
    return celery_app.amqp.router.route({}, task_name)["queue"].name


def test_sending_an_email_goes_to_the_emails_queue():
    assert settings.CELERY_EMAIL_QUEUE == "emails"
    assert queue_of("notifications.tasks.deliver_outbox_email") == "emails"


def test_every_periodic_task_goes_to_the_default_queue():
    assert settings.CELERY_TASK_DEFAULT_QUEUE == "default"
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "privacy.tasks.purge_personal_data",
        "referrals.tasks.referrals_remind",
        "pajr.tasks.health_heartbeat",
    } <= tasks
    assert {queue_of(task) for task in tasks} == {"default"}


def test_a_rig_with_a_queue_of_its_own_takes_the_emails_with_it():
    with own_queue("q") as queue:
        assert queue_of("notifications.tasks.deliver_outbox_email") == queue
    assert queue_of("notifications.tasks.deliver_outbox_email") == "emails"
