from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health as checks


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """/sante/: the database, the broker, a worker on each queue, beat's heartbeat, the outbox's
    oldest unsent email and the CV storage. 200 when all are ok, 503 otherwise; counts and
    states only, no personal data."""
    results = checks.run_checks()
    body = {name: "ok" if ok else "error" for name, ok in results.items()}
    body["status"] = "ok" if all(results.values()) else "error"
    return JsonResponse(body, status=200 if all(results.values()) else 503)


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement: the standard aimed at, how pages are checked, the known limits
    and whom to write to."""
    return render(request, "pages/accessibility.html")
