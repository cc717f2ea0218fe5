"""The platform's own error pages, in the visitor's language (the language middleware has run):
400, 403, 404, the CSRF refusal, 500 — and 503 when the database cannot be reached, saying that
nothing was saved. 500 and 503 use a page that needs no database (errors/plain.html: no session,
no user), since the database may be what failed."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait after a 503 before trying again.
RETRY_AFTER_SECONDS = 30


def _page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    response = render(request, template, status=status)
    add_never_cache_headers(response)
    return response


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "errors/400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "errors/403.html", 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "errors/404.html", 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token: most often a page left open too long, or cookies
    refused. The form is not saved; the page says how to try again."""
    logger.info("csrf refused: %s %s", request.method, request.path[:200])
    return _page(request, "errors/csrf.html", 403)


def database_unreachable(exception: BaseException | None) -> bool:
    """Whether an exception means the database cannot be reached (connection refused, lost, or
    the server shutting down), rather than a fault in a query."""
    return isinstance(exception, InterfaceError | OperationalError) and not _is_query_fault(exception)


def _is_query_fault(exception: BaseException) -> bool:
    # A lock timeout or a deadlock is an OperationalError too, but the database is there.
    text = str(exception).lower()
    return any(word in text for word in ("deadlock", "lock timeout", "could not serialize", "database is locked"))


# What is sent when even the error page cannot be rendered (a broken template or setting).
LAST_RESORT = (
    '<!DOCTYPE html><html lang="fr"><meta charset="utf-8"><title>Erreur / Error</title>'
    "<h1>Une erreur s'est produite. / Something went wrong.</h1>"
    "<p>Réessayez dans quelques minutes. / Please try again in a few minutes.</p></html>"
)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it while handling the exception, which sys.exc_info() gives."""
    exception = sys.exc_info()[1]
    unreachable = database_unreachable(exception)
    try:
        if unreachable:
            body = loader.render_to_string("errors/503_database.html", {"retry_after": RETRY_AFTER_SECONDS})
        else:
            body = loader.render_to_string("errors/500.html")
    except Exception:
        logger.exception("the error page itself failed")
        body = LAST_RESORT
    response = HttpResponse(body, status=503 if unreachable else 500)
    if unreachable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
