import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from common import logs

logger = logging.getLogger(__name__)


class LanguageMiddleware:
    """French first: the language is the one the visitor chose with the language switch (a
    cookie), else French. The browser's Accept-Language is not consulted, so a French-speaking
    visitor on an English browser still gets French, as the partners want."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class RequestGuardMiddleware:
    """Refuses, before any view reads it, what no page of the platform accepts: a NUL character in
    the path or the query (PostgreSQL cannot store it; form fields refuse it themselves, with
    Django's ProhibitNullCharactersValidator), a body in another charset than UTF-8, a body Django
    cannot parse, a body larger than MAX_REQUEST_BYTES. Each gets the platform's own 400 or 413
    page, never a 500. Placed after the language middleware (the page speaks the visitor's
    language) and before CSRF (the first to read a form)."""

    ACCEPTED_CHARSETS = {"utf-8", "utf8", "us-ascii", "ascii"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self._refusal(request)
        return refusal if refusal is not None else self.get_response(request)

    def _refusal(self, request):
        if "\x00" in request.path or _has_nul(request.GET):
            return _bad_request(request, "nul")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _bad_request(request, "length")
        if length > settings.MAX_REQUEST_BYTES:
            return _error_page(request, "errors/413.html", 413)
        if request.method in ("POST", "PUT", "PATCH"):
            charset = (request.content_params or {}).get("charset", "utf-8").strip().lower()
            if charset not in self.ACCEPTED_CHARSETS:
                return _bad_request(request, "charset")
            try:
                request.POST  # noqa: B018 - parsed here, so that a body Django cannot read is a 400, not a 500
            except RequestDataTooBig:
                return _error_page(request, "errors/413.html", 413)
            except (UnicodeDecodeError, MultiPartParserError, SuspiciousOperation):
                return _bad_request(request, "body")
        return None


def _has_nul(query: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


def _bad_request(request, reason: str):
    logger.info("request refused: %s %s (%s)", request.method, request.path.replace("\x00", "\\0")[:200], reason)
    return _error_page(request, "errors/400.html", 400)


def _error_page(request, template: str, status: int):
    response = render(request, template, status=status)
    add_never_cache_headers(response)
    return response


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response to a signed-in person: their pages
    carry personal data, which no browser or proxy cache may keep. The link pages and downloads
    set it themselves (never_cache). Static files are left to WhiteNoise's caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(settings.STATIC_URL_PATH)
            and "no-store" not in response.get("Cache-Control", "")
        ):
            add_never_cache_headers(response)
        return response


class RequestIdMiddleware:
    """First of all: gives the request an id (the proxy's X-Request-ID when sane), which every log
    line of the request carries and the response returns in X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = logs.request_id_from(request.headers.get("X-Request-ID"))
        id_token = logs.request_id.set(request.request_id)
        user_token = logs.user_id.set(None)
        try:
            response = self.get_response(request)
        finally:
            logs.request_id.reset(id_token)
            logs.user_id.reset(user_token)
        response["X-Request-ID"] = request.request_id
        return response


class LogUserMiddleware:
    """After authentication: the signed-in user's id (never their address) in the log lines."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            logs.user_id.set(user.pk)
        return self.get_response(request)
