import logging

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger.exception("health: database unreachable")
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return True
    except Exception:
        logger.exception("health: broker unreachable")
        return False


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Whether the database and the broker answer: 200 when both do, 503 otherwise."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    body = {name: "ok" if ok else "error" for name, ok in checks.items()}
    body["status"] = "ok" if all(checks.values()) else "error"
    return JsonResponse(body, status=200 if all(checks.values()) else 503)


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement: the standard aimed at, how pages are checked, the known limits
    and whom to write to."""
    return render(request, "pages/accessibility.html")
