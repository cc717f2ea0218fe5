"""The queue's filter choices, built once per language and kept with their <option> elements
written: regions, territories and counsellors were read (three queries) and turned into ~130
<option> strings on every page (1.3 ms at 100,000 files, even from cached choices). The
territories' names with their regions' (the rows' "Territoires visés") are kept the same way.

Each process keeps its own copy (common.kept, group "queue-lists"): reading the lists from Redis
cost 0.5 to 1 ms a page. A change to a region, a territory or a staff account forgets them (the
receivers below, connected in CounsellingConfig.ready): at once in the process that made it,
within common.kept.RECHECK_SECONDS in the others. OPTIONS_SECONDS bounds the staleness of
anything the receivers miss."""

from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

from common.kept import forget_changed, kept
from territories.models import Region, Territory

OPTIONS_SECONDS = 300
GROUP = "queue-lists"


def _read(name: str, build, *, still_good=lambda value: True):
    return kept(GROUP, name, build, seconds=OPTIONS_SECONDS, still_good=still_good)


def territory_names(ids) -> dict[int, tuple[str, str]]:
    """{territory id: (name, region's name in the active language)} for every territory; read
    again (one query) when one of `ids` is missing from the copy, a territory created since."""

    def build():
        rows = Territory.objects.order_by().values_list("pk", "name", f"region__{Region.name_field()}")
        return {pk: (name, region) for pk, name, region in rows}

    return _read("territory-names", build, still_good=lambda names: names.keys() >= set(ids))


def filter_options(form) -> dict[str, tuple[list[tuple[str, str]], str]]:
    """{field name: ([(value, label), …], "<option>…")} for every select of the queue's filter
    form, as strings, in the active language; built from `form` (one query per model list). The
    <option> elements are escaped, none selected (`options_html` marks one)."""

    def build():
        options = {}
        for name, field in form.fields.items():
            if hasattr(field, "choices"):
                choices = [(str(value), str(label)) for value, label in field.choices]
                html = format_html_join("", '<option value="{}">{}</option>', choices)
                options[name] = (choices, str(html))
        return options

    return _read("filter-options", build)


def options_html(html: str, selected: str) -> SafeString:
    """`html` (filter_options' <option> elements, escaped) with the option of value `selected`
    marked: one replacement in a string kept whole, rather than ~130 options written again."""
    opening = f'<option value="{escape(selected)}">'
    return mark_safe(html.replace(opening, opening[:-1] + " selected>", 1))  # noqa: S308 — escaped above


def forget_filter_options(**_kwargs) -> None:
    """This process builds its copies again on its next page, the others after their next look at
    the shared version."""
    forget_changed(GROUP)


def forget_on_staff_change(sender, instance, update_fields=None, **kwargs) -> None:
    """A staff account created, renamed, (de)activated or given another role; not a sign-in (which
    saves last_login only), nor a candidate's account."""
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    if instance.role in type(instance).STAFF_ROLES or (update_fields is not None and "role" in update_fields):
        forget_filter_options()
