"""The Celery application.

Choices made so that a notification is not lost (settings are in pajr/settings.py, CELERY_*):
- task_acks_late + task_reject_on_worker_lost: a message is acknowledged after the task ran, so a
  worker killed mid-task leaves it on the broker for another worker. Tasks are written to be safe
  to run twice.
- worker_prefetch_multiplier = 1: a worker holds one message at a time, so a killed worker takes
  no other messages down with it and a burst spreads over every process.
- task_publish_retry_policy, broker_connection_timeout: publishing retries briefly (at most ~1 s)
  and then fails instead of blocking a web request on a dead broker (celery#4296, #4556).
- task_soft_time_limit / task_time_limit: a hung SMTP connection cannot hold a worker forever.
- task_ignore_result: nothing reads results; no result backend to run.
- CELERY_DB_REUSE_MAX: Celery's Django fixup (5.7) closes every database connection before and
  after each task, whatever CONN_MAX_AGE says, so each email opened a PostgreSQL connection of
  its own: about a fifth of a worker's time in a burst, plus a server process started for each.
  With DB_REUSE_MAX set the fixup leaves them open, and `tasks_share_connections` does what
  Django does around a web request: it closes a connection that is older than CONN_MAX_AGE, that
  failed, or (CONN_HEALTH_CHECKS) that no longer answers: after a database restart, the next
  task opens a new connection before its first query instead of failing on the old one.
- The default broker is Celery's `filesystem://` transport under var/, so a newcomer needs no
  server; production and CI point CELERY_BROKER_URL at Redis.

Emails (notifications/): the broker is never the only copy of an email. Each is an OutboxEmail row
written in the transaction of the change; the task only carries its id. So:
- a publish that fails after commit (Redis down) is logged, not raised: the request succeeds and
  the periodic task `outbox_requeue_due` (every 5 s, CELERY_BEAT_SCHEDULE) publishes the row
  once it is 8 s overdue — so it goes out within ~15 s of the broker being back;
- a lost or twice-delivered message is harmless: delivery locks the row and sends only if it is
  still pending and due;
- retries are counted on the row (OUTBOX_MAX_ATTEMPTS, backoff with jitter), not in the broker;
  the longest countdown (OUTBOX_RETRY_MAX_SECONDS, 10 min) stays under Redis's visibility_timeout
  (1 h), so a waiting retry is not handed out a second time.
"""

import os

from celery import Celery
from celery.signals import beat_init, task_postrun, task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pajr.settings")

app = Celery("pajr")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The outbox's sending tasks go to the `emails` queue, everything else to the default queue
# (settings, "Celery"). Only while the default queue is the configured one: a test or the bench
# that moves the default queue to a queue of its own (devtools.rig.own_queue) takes the emails too.
EMAIL_TASKS = frozenset({"notifications.tasks.deliver_outbox_email"})


def route_task(name, args, kwargs, options, task=None, **kw):
    from django.conf import settings

    if name in EMAIL_TASKS and app.conf.task_default_queue == settings.CELERY_TASK_DEFAULT_QUEUE:
        return {"queue": settings.CELERY_EMAIL_QUEUE}
    return None


@beat_init.connect
def beat_started(sender=None, **kwargs) -> None:
    """A first heartbeat as beat starts (through a worker, like the next ones each minute), so
    that /sante/ turns green within seconds of a start rather than after the first minute."""
    app.send_task("pajr.tasks.health_heartbeat")


@task_prerun.connect
@task_postrun.connect
def tasks_share_connections(sender=None, **kwargs) -> None:
    """Around each task a worker runs, as around each web request (CONN_MAX_AGE, health checks).
    Not around a task run eagerly: that one runs inside its caller's request or transaction."""
    if not getattr(getattr(sender, "request", None), "is_eager", False):
        close_old_connections()
