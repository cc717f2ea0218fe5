"""Load shedding in gunicorn: when the server is behind, a request that waited too long for a
thread is answered at once with the platform's 503 page (and `Retry-After`) instead of being run.

gunicorn's gthread worker queues every connection with a request to read for its pool of threads;
past saturation that queue grows, and every request waits longer than the one before until clients
time out (the load test saw 15–30 s). This worker notes when each connection was queued; when a
thread takes it after more than SHED_AFTER_MS (GUNICORN_SHED_AFTER_MS, 250 by default; 0 turns
shedding off), the request gets a page rendered once per worker and language, which costs well
under a millisecond, so the queue drains and the requests that are run keep a short wait. The
health probe (/sante/) is never shed. Nothing in the shed request is read but its language."""

import os
import threading
import time

from gunicorn.workers.gthread import ThreadWorker

SHED_AFTER_MS = int(os.environ.get("GUNICORN_SHED_AFTER_MS", "250"))
RETRY_AFTER_SECONDS = int(os.environ.get("GUNICORN_SHED_RETRY_AFTER", "5"))
NEVER_SHED = ("/sante/",)

_waited = threading.local()


def shed_page(language: str) -> bytes:
    """The 503 page in `language` ("fr" or "en"), rendered once per worker process."""
    if language not in _pages:
        from django.template import loader
        from django.utils import translation

        with translation.override("en" if language == "en" else "fr-ca"):
            _pages[language] = loader.render_to_string(
                "errors/503_busy.html", {"retry_after": RETRY_AFTER_SECONDS}
            ).encode()
    return _pages[language]


_pages: dict[str, bytes] = {}


def visitor_language(environ: dict) -> str:
    """The language the platform would answer in: its cookie, else the browser's first choice."""
    from django.conf import settings

    cookie = environ.get("HTTP_COOKIE", "")
    for part in cookie.split(";"):
        name, _, value = part.strip().partition("=")
        if name == settings.LANGUAGE_COOKIE_NAME:
            return "en" if value.startswith("en") else "fr"
    accept = environ.get("HTTP_ACCEPT_LANGUAGE", "").strip().lower()
    return "en" if accept.startswith("en") else "fr"


def shedding(app, *, after_ms: int = SHED_AFTER_MS):
    """Wrap the WSGI `app`: a request whose wait (set by the worker) went past `after_ms` gets the 503."""

    def application(environ, start_response):
        waited_ms = getattr(_waited, "ms", 0.0)
        if after_ms and waited_ms > after_ms and environ.get("PATH_INFO", "") not in NEVER_SHED:
            body = shed_page(visitor_language(environ))
            start_response(
                "503 Service Unavailable",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(len(body))),
                    ("Retry-After", str(RETRY_AFTER_SECONDS)),
                    ("Cache-Control", "no-store"),
                    ("Content-Language", visitor_language(environ)),
                ],
            )
            return [body]
        return app(environ, start_response)

    return application


# How often at most the worker tells the arbiter it is alive (gunicorn's timeout is 30 s).
NOTIFY_EVERY_SECONDS = 1.0


class SheddingThreadWorker(ThreadWorker):
    """gunicorn's gthread worker that times each connection's wait for a thread, and tells the
    arbiter it is alive once a second rather than on every turn of its loop."""

    _notified = float("-inf")

    def notify(self):
        """gthread touches its heartbeat file (an os.utime) on every turn of its loop, two or three
        a request: 1.2 % of a worker's CPU at 140 req/s (issue 17). The arbiter only needs it once
        within `timeout`; the loop turns at least every second, even idle."""
        now = time.monotonic()
        if now - self._notified >= NOTIFY_EVERY_SECONDS:
            self._notified = now
            super().notify()

    def load_wsgi(self):
        super().load_wsgi()
        self.wsgi = shedding(self.wsgi)

    def enqueue_req(self, conn):
        conn.queued_at = time.monotonic()
        super().enqueue_req(conn)

    def handle_request(self, req, conn):
        _waited.ms = (time.monotonic() - getattr(conn, "queued_at", time.monotonic())) * 1000
        try:
            return super().handle_request(req, conn)
        finally:
            _waited.ms = 0.0
