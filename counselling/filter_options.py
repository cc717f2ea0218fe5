"""The queue's filter choices, built once per language and kept in the cache with their <option>
elements written: regions, territories and counsellors were read (three queries) and turned into
~130 <option> strings on every page (1.3 ms at 100,000 files, even from cached choices). The
territories' names with their regions' (the rows' "Territoires visés") are kept the same way.
A change to a region, a territory or a staff account forgets them (receivers below, connected in
CounsellingConfig.ready); OPTIONS_SECONDS bounds the staleness of anything the receivers miss."""

from django.conf import settings
from django.core.cache import cache
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from territories.models import Region, Territory

OPTIONS_SECONDS = 300


def _key(language: str) -> str:
    return f"counselling:queue-filter-options:{language}"


def _names_key(language: str) -> str:
    return f"counselling:territory-names:{language}"


def territory_names(ids) -> dict[int, tuple[str, str]]:
    """{territory id: (name, region's name in the active language)} for every territory, from the
    cache; read again (one query) when one of `ids` is missing from it, a territory created since."""
    key = _names_key(get_language() or settings.LANGUAGE_CODE)
    names = cache.get(key)
    if names is None or not names.keys() >= set(ids):
        rows = Territory.objects.order_by().values_list("pk", "name", f"region__{Region.name_field()}")
        names = {pk: (name, region) for pk, name, region in rows}
        cache.set(key, names, OPTIONS_SECONDS)
    return names


def filter_options(form) -> dict[str, tuple[list[tuple[str, str]], str]]:
    """{field name: ([(value, label), …], "<option>…")} for every select of the queue's filter
    form, as strings, in the active language; read from the cache, built from `form` (one query
    per model list). The <option> elements are escaped, none selected (`options_html` marks one)."""
    key = _key(get_language() or settings.LANGUAGE_CODE)
    options = cache.get(key)
    if options is None:
        options = {}
        for name, field in form.fields.items():
            if hasattr(field, "choices"):
                choices = [(str(value), str(label)) for value, label in field.choices]
                html = format_html_join("", '<option value="{}">{}</option>', choices)
                options[name] = (choices, str(html))
        cache.set(key, options, OPTIONS_SECONDS)
    return options


def options_html(html: str, selected: str) -> SafeString:
    """`html` (filter_options' <option> elements, escaped) with the option of value `selected`
    marked: one replacement in a string kept whole, rather than ~130 options written again."""
    opening = f'<option value="{escape(selected)}">'
    return mark_safe(html.replace(opening, opening[:-1] + " selected>", 1))  # noqa: S308 — escaped above


def forget_filter_options(**_kwargs) -> None:
    cache.delete_many([key(code) for code, _name in settings.LANGUAGES for key in (_key, _names_key)])


def forget_on_staff_change(sender, instance, update_fields=None, **kwargs) -> None:
    """A staff account created, renamed, (de)activated or given another role; not a sign-in (which
    saves last_login only), nor a candidate's account."""
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    if instance.role in type(instance).STAFF_ROLES or (update_fields is not None and "role" in update_fields):
        forget_filter_options()
