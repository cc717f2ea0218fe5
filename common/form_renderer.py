"""The forms' renderer: Django's own (DjangoTemplates), with its commonest widget templates written
in Python.

Django renders each widget through a template and an include of `attrs.html`; crispy-forms then
wraps each field in its own. On the counsellor's file page (six forms, some fifteen fields) the
widgets' templates were 1–1.5 ms of 35–40 (issue 17, in-process A/B). `FastRenderer.render`
writes the HTML those templates would write, for the templates named in WRITERS, with Django's own escaping rules:
`{{ x }}` escapes what is not marked safe, `|stringformat:'s'` formats with "%s" first, `{% if v
is not False %}`/`is not True` test identity. Anything else, or a value a template would have
localized (a number or a date as a label), goes to the templates as before.
tests/common/test_form_renderer.py renders each widget, and whole pages, both ways and compares."""

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, SafeString

WIDGETS = "django/forms/widgets/"
# Django's templates that are only `{% include "django/forms/widgets/input.html" %}`.
INPUT_TEMPLATES = frozenset(
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "email",
        "number",
        "password",
        "url",
        "tel",
        "search",
        "hidden",
        "date",
        "datetime",
        "time",
        "color",
        "checkbox",
    )
)
OPTION_TEMPLATE = f"{WIDGETS}select_option.html"


class _Fallback(Exception):
    """A value the template would localize: let the template write it."""


def _text(value) -> str:
    """What `{{ value }}` writes for a string (or a lazy translation); other types may be localized
    by the template, so they go to it."""
    if isinstance(value, str):
        return conditional_escape(value)
    if isinstance(value, Promise):
        return escape(str(value))
    raise _Fallback


def _formatted(value) -> str:
    """What `{{ value|stringformat:'s' }}` writes: "%s" % value, escaped unless it was marked safe."""
    if isinstance(value, tuple):
        value = str(value)
    text = "%s" % value  # noqa: UP031 - the filter's own formatting
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = f' value="{_formatted(value)}"' if value is not None else ""
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'


def _textarea(widget: dict) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _select(widget: dict) -> str:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                raise _Fallback
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"  # the option template's own last line end
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


WRITERS = {
    **dict.fromkeys(INPUT_TEMPLATES, _input),
    f"{WIDGETS}textarea.html": _textarea,
    f"{WIDGETS}select.html": _select,
}


class FastRenderer(DjangoTemplates):
    """settings.FORM_RENDERER. The same output as DjangoTemplates, stripped as it strips its own."""

    def render(self, template_name, context, request=None):
        write = WRITERS.get(template_name)
        if write is not None and "widget" in context:
            try:
                return SafeString(write(context["widget"]))
            except _Fallback:
                pass
        return super().render(template_name, context, request=request)
