from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def counsellor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in EER counsellors and coordinators only; anyone else signed in gets a 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_counsellor:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
