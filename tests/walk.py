"""Every URL pattern of the platform, made concrete with the ids of a small data set: for the tests
that walk the whole site as each role (tests/pajr/test_every_page.py)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    route: str  # "conseil/candidats/<int:pk>/"
    name: str | None

    @property
    def parameters(self) -> list[tuple[str, str]]:
        return [(match["converter"] or "str", match["name"]) for match in PARAMETER.finditer(self.route)]

    def path(self, values: dict[str, str]) -> str:
        return "/" + PARAMETER.sub(lambda match: str(values[match["name"]]), self.route)


def routes() -> Iterator[Route]:
    """Every pattern written as a route (the few regular expressions, allauth's reset key, are
    left out: their own tests open them)."""

    def walk(patterns, prefix: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and "^" not in prefix + str(pattern.pattern):
                yield Route(prefix + str(pattern.pattern), pattern.name)

    seen = set()
    for route in walk(get_resolver().url_patterns, ""):
        if route.route not in seen:
            seen.add(route.route)
            yield route


def admin_object_id(route: Route) -> str | None:
    """For the admin's per-object pages: the pk of the first row of the page's model."""
    match = re.match(r"admin/(\w+)/(\w+)/", route.route)
    if not match:
        return None
    try:
        model = apps.get_model(match[1], match[2])
    except LookupError:
        return None
    pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return str(pk) if pk is not None else None


@dataclass
class Form:
    action: str
    fields: dict[str, str]


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._current: Form | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._current = Form(action=attrs.get("action") or "", fields={})
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "select", "textarea") and attrs.get("name"):
            if attrs.get("type") in ("submit", "button", "file", "image"):
                return
            self._current.fields.setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def post_forms(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms
