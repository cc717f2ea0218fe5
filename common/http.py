"""Small helpers the views of several apps share."""

from django.contrib import messages
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def int_or_none(value: str | None) -> int | None:
    """A posted or queried id, or None when it is missing or not a number."""
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def page_number(value: str | None) -> int:
    """?page=, at least 1; anything else is page 1."""
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1


def safe_next(request: HttpRequest, next_url: str, *, default: str) -> str:
    """`next_url` when it is a path on this site, else `default` (anything else, say a word,
    would be taken by redirect() for a view's name)."""
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, request.is_secure()
    ):
        return default
    return next_url


def form_errors_to_messages(request: HttpRequest, form, *, with_labels: bool = False) -> None:
    """Each error of a form posted from a page that shows messages rather than the form."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if with_labels and name in form.fields else None
        for error in errors:
            messages.error(request, f"{label} : {error}" if label else error)
