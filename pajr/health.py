"""The checks behind /sante/. Each answers True or False, bounded in time, and logs why it failed
(never with personal data). The view turns them into 200 or 503."""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Min
from django.utils import timezone

from common.models import Heartbeat
from common.storage import private_storage
from notifications.models import OutboxEmail

from .celery import app as celery_app
from .tasks import BEAT

logger = logging.getLogger(__name__)
WORKER_CACHE_KEY = "health:worker"


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger.exception("health: database unreachable")
        return False


def broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return True
    except Exception:
        logger.exception("health: broker unreachable")
        return False


def worker_queues() -> set[str]:
    """The queues some worker consumes, from a broadcast that waits HEALTH_WORKER_TIMEOUT_SECONDS."""
    replies = celery_app.control.inspect(timeout=settings.HEALTH_WORKER_TIMEOUT_SECONDS).active_queues() or {}
    return {queue["name"] for queues in replies.values() for queue in queues or ()}


def worker_ok() -> bool:
    """Both queues (emails, default) have a worker. The answer is kept HEALTH_WORKER_CACHE_SECONDS,
    so that frequent probes cost one broadcast per interval."""
    cached = cache.get(WORKER_CACHE_KEY)
    if cached is not None:
        return cached
    wanted = {settings.CELERY_TASK_DEFAULT_QUEUE, settings.CELERY_EMAIL_QUEUE}
    try:
        missing = wanted - worker_queues()
    except Exception:
        logger.exception("health: workers could not be asked")
        missing = wanted
    if missing:
        logger.warning("health: no worker consumes %s", ", ".join(sorted(missing)))
    cache.set(WORKER_CACHE_KEY, not missing, settings.HEALTH_WORKER_CACHE_SECONDS)
    return not missing


def beat_ok() -> bool:
    """Beat's heartbeat (every HEALTH_HEARTBEAT_SECONDS, run by a default-queue worker) is recent."""
    age = Heartbeat.age_seconds(BEAT)
    if age is None or age > settings.HEALTH_BEAT_MAX_AGE_SECONDS:
        logger.warning("health: beat's last heartbeat %s", "never" if age is None else f"{age:.0f} s ago")
        return False
    return True


def outbox_ok() -> bool:
    """No email has been due and unsent for longer than HEALTH_OUTBOX_MAX_AGE_SECONDS."""
    now = timezone.now()
    oldest = OutboxEmail.objects.due(now=now).aggregate(oldest=Min("next_attempt_at"))["oldest"]
    age = 0 if oldest is None else (now - oldest).total_seconds()
    if age > settings.HEALTH_OUTBOX_MAX_AGE_SECONDS:
        logger.warning("health: oldest unsent email due for %.0f s", age)
        return False
    return True


def storage_ok() -> bool:
    """The CV storage takes a small file, gives it back and deletes it."""
    probe = f"sante/{uuid.uuid4().hex}.txt"
    content = b"ok"
    try:
        name = private_storage.save(probe, ContentFile(content))
        try:
            with private_storage.open(name, "rb") as stored:
                read = stored.read()
        finally:
            private_storage.delete(name)
        if read != content:
            logger.warning("health: storage gave back other bytes")
            return False
        return True
    except Exception:
        logger.exception("health: storage unusable")
        return False


CHECKS = {
    "database": database_ok,
    "broker": broker_ok,
    "worker": worker_ok,
    "beat": beat_ok,
    "outbox": outbox_ok,
    "storage": storage_ok,
}


def run_checks() -> dict[str, bool]:
    """Every check; one that raises is an error (logged), and the database's readers are errors
    without asking when the database is."""
    results: dict[str, bool] = {}
    for name, check in CHECKS.items():
        if name in ("beat", "outbox") and not results["database"]:
            results[name] = False
            continue
        try:
            results[name] = check()
        except Exception:
            logger.exception("health: the %s check failed", name)
            results[name] = False
    return results
