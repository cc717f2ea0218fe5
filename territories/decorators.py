"""Access to the PAJ agent's pages."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .models import Agent


def agent_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in PAJ agents whose agent record is active; the view finds it in `request.agent`.
    Anyone else signed in gets a 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        agent = Agent.objects.active().filter(user=user).first() if user.role == user.Role.AGENT else None
        if agent is None:
            raise PermissionDenied
        request.agent = agent
        return view(request, *args, **kwargs)

    return wrapped
