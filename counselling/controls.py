"""The queue's controls around its rows — the tabs, the sortable column headers and the filter
form's fields — written in Python, like the rows (counselling.rows): in templates they were 2.8 ms
of a queue page at 100,000 files (22 `{% querystring %}` tags and some 150 lookups on the form's
fields), a sixth of it. Same markup as the templates wrote (compared on ten URLs, both languages,
full pages and htmx parts, when they went); tests/counselling/test_controls.py holds escaping,
links, the selected values and the errors."""

from html import escape
from types import SimpleNamespace

from django.http import QueryDict
from django.template.defaulttags import querystring as _querystring
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

# The input each filter is (the others are selects, with their options from filter_options).
SEARCH, CHECKBOX = "q", "hors_age"


def querystring(query: QueryDict, **changes) -> str:
    """What `{% querystring %}` writes for `query` (the request's GET) with `changes`, escaped."""
    return escape(_querystring(SimpleNamespace(request=SimpleNamespace(GET=query)), **changes))


def tabs_html(query: QueryDict, tabs: dict[str, str], current: str) -> SafeString:
    """The tabs, each keeping the filters and dropping the page and the sort."""
    items = []
    for value, label in tabs.items():
        url = querystring(query, vue=value, page=None, tri=None)
        active = ' active" aria-current="page' if value == current else ""
        items.append(
            f'<li class="nav-item"><a class="nav-link{active}" href="{url}" hx-get="{url}" hx-target="#queue" '
            f'hx-push-url="true">{escape(str(label))}</a></li>'
        )
    nav = f'<nav aria-label="{escape(gettext("Listes"))}"><ul class="nav nav-tabs mb-3">{"".join(items)}</ul></nav>'
    return mark_safe(nav)  # noqa: S308 — every value above is escaped


def sort_header_html(query: QueryDict, info: dict[str, str], label: str) -> SafeString:
    """A sortable column's <th> (selectors.queue_sort_headers' `info`): a second click reverses."""
    url = querystring(query, tri=info["next"], page=None)
    aria_sort = escape(info["aria_sort"])
    th = f' aria-sort="{aria_sort}"' if aria_sort else ""
    sorted_class = f" queue-sort-{aria_sort}" if aria_sort else ""
    return mark_safe(  # noqa: S308 — every value is escaped
        f'<th scope="col"{th}><a class="queue-sort{sorted_class}" href="{url}" hx-get="{url}" '
        f'hx-target="#queue-results" hx-push-url="true">{escape(str(label))}</a></th>'
    )


def filter_fields_html(form) -> SafeString:
    """The filter form's fields, each in its grid cell with its label and errors: the search box,
    the dates, the checkbox, and the selects with the options QueueFilter.attach_select_options
    gave them (the value of the URL selected)."""
    cells = []
    for field in form:
        name, auto_id, label = escape(field.html_name), escape(field.auto_id), escape(str(field.label))
        value = field.value()
        invalid = " is-invalid" if field.errors else ""
        if field.name == CHECKBOX:
            checked = " checked" if value else ""
            cells.append(
                '<div class="col-sm-6 col-lg-3 form-check ps-4 pt-4">'
                f'<input type="checkbox" class="form-check-input" name="{name}" id="{auto_id}" value="true"{checked}>'
                f'<label class="form-check-label" for="{auto_id}">{label}</label></div>'
            )
            continue
        text = escape(str(value)) if value not in (None, "") else ""
        if field.name == SEARCH:
            placeholder = escape(gettext("Nom, prénom ou courriel"))
            control = (
                f'<input type="search" class="form-control form-control-sm{invalid}" name="{name}" id="{auto_id}" '
                f'value="{text}" maxlength="100" placeholder="{placeholder}">'
            )
        elif field.widget_type == "date":
            control = (
                f'<input type="date" class="form-control form-control-sm{invalid}" name="{name}" id="{auto_id}" '
                f'value="{text}">'
            )
        else:
            control = (
                f'<select class="form-select form-select-sm{invalid}" name="{name}" id="{auto_id}">'
                f"{field.options_html}</select>"
            )
        errors = "".join(f'<div class="invalid-feedback">{escape(str(error))}</div>' for error in field.errors)
        cells.append(
            f'<div class="col-sm-6 col-lg-3"><label class="form-label small mb-0" for="{auto_id}">{label}</label>'
            f"{control}{errors}</div>"
        )
    return mark_safe("".join(cells))  # noqa: S308 — every value above is escaped
