"""The queue's filter choices, built once per language and kept in the cache: regions, territories
and counsellors were read (three queries) and turned into ~130 <option> strings on every page.
A change to a region, a territory or a staff account forgets them (receivers below, connected in
CounsellingConfig.ready); OPTIONS_SECONDS bounds the staleness of anything the receivers miss."""

from django.conf import settings
from django.core.cache import cache
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language

OPTIONS_SECONDS = 300


def _key(language: str) -> str:
    return f"counselling:queue-filter-options:{language}"


def filter_options(form) -> dict[str, list[tuple[str, str]]]:
    """{field name: [(value, label), …]} for every select of the queue's filter form, as strings,
    in the active language; read from the cache, built from `form` (one query per model list)."""
    key = _key(get_language() or settings.LANGUAGE_CODE)
    options = cache.get(key)
    if options is None:
        options = {
            name: [(str(value), str(label)) for value, label in field.choices]
            for name, field in form.fields.items()
            if hasattr(field, "choices")
        }
        cache.set(key, options, OPTIONS_SECONDS)
    return options


def options_html(options: list[tuple[str, str]], selected: str) -> SafeString:
    """The <option> elements, escaped, with `selected` marked."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == selected else "", label) for value, label in options),
    )


def forget_filter_options(**_kwargs) -> None:
    cache.delete_many([_key(code) for code, _name in settings.LANGUAGES])


def forget_on_staff_change(sender, instance, update_fields=None, **kwargs) -> None:
    """A staff account created, renamed, (de)activated or given another role; not a sign-in (which
    saves last_login only), nor a candidate's account."""
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    if instance.role in type(instance).STAFF_ROLES or (update_fields is not None and "role" in update_fields):
        forget_filter_options()
