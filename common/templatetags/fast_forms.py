"""crispy-forms' `|crispy` and `|as_crispy_field` filters, with the Bootstrap 5 field wrapper —
label, widget, errors, help text — written in Python for the plain fields: crispy renders each
field through bootstrap5/field.html and three more includes, some 0.25 ms a field, and the
counsellor's file page has about thirty (its templates 17 -> 11 ms at 100,000 files, issue 17).
The markup is crispy's, whitespace aside: tests/common/test_fast_forms.py renders every page of
the site both ways. Anything else — radios, checkbox lists, files, multi-widgets, a form helper, a
template pack or label and field classes — goes to crispy's own filters."""

from crispy_forms.templatetags import crispy_forms_filters as crispy
from crispy_forms.utils import TEMPLATE_PACK
from django import forms, template
from django.conf import settings
from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# What crispy's bootstrap5/field.html gives these widgets (crispy_field's "class" argument).
CONTROL_CLASSES = {"select": "form-select", "checkbox": "form-check-input", "control": "form-control"}
TO_CRISPY = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.FileInput, forms.MultiWidget)


def _kind(field) -> str | None:
    """ "select", "checkbox" or "control" (other inputs, textareas) for a field written here; None
    for one crispy writes."""
    widget = field.field.widget
    if isinstance(widget, TO_CRISPY) or field.is_hidden:
        return None
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "select" if isinstance(widget, forms.Select) else "control"


def _add_classes(widget, classes: str) -> None:
    """crispy_field's changes to the widget's attributes: its own class name (or the converter's),
    then `classes`, each once."""
    class_name = widget.__class__.__name__.lower()
    class_name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(class_name, class_name)
    css_class = widget.attrs.get("class", "")
    if css_class:
        if css_class.find(class_name) == -1:
            css_class += f" {class_name}"
    else:
        css_class = class_name
    for name in classes.split():
        if name not in css_class.split():
            css_class += f" {name}"
    widget.attrs["class"] = css_class


def _errors_and_help(field) -> str:
    """help_text_and_errors.html: the errors as a block, then the help text."""
    html = ""
    if field.errors:
        items = " ".join(
            f'<p id="error_{number}_{escape(field.auto_id)}"><strong>{escape(str(error))}</strong></p>'
            for number, error in enumerate(field.errors, start=1)
        )
        html += f' <div id="{escape(str(field.errors.field_id))}_error" class="invalid-feedback"> {items} </div>'
    if field.help_text:
        help_id = f'id="{escape(field.auto_id)}_helptext" ' if field.auto_id else ""
        html += f' <div {help_id}class="form-text">{field.help_text}</div>'  # crispy: help_text|safe
    return html


def _label(field, css_class: str) -> str:
    required = " requiredField" if field.field.required else ""
    asterisk = '<span class="asteriskField">*</span>' if field.field.required else ""
    target = f'for="{escape(field.id_for_label)}" ' if field.id_for_label else ""
    return f'<label {target}class="{css_class}{required}"> {escape(str(field.label))}{asterisk} </label>'


def field_html(field, kind: str) -> str:
    """One field as bootstrap5/field.html writes it (form_show_labels and form_show_errors on)."""
    invalid = " is-invalid" if field.errors else ""
    _add_classes(field.field.widget, CONTROL_CLASSES[kind] + invalid)
    wrapper_classes = f" {field.css_classes()}" if field.css_classes() else ""
    auto_id = escape(field.auto_id)
    if kind == "checkbox":
        label = _label(field, "form-check-label")
        return (
            f'<div class="mb-3"> <div id="div_{auto_id}" class="form-check{wrapper_classes}"> {field} {label}'
            f"{_errors_and_help(field)} </div> </div>"
        )
    label = f" {_label(field, 'form-label')}" if field.label else ""
    return f'<div id="div_{auto_id}" class="mb-3{wrapper_classes}">{label} {field}{_errors_and_help(field)} </div>'


def _plain(form_or_field, template_pack, label_class, field_class) -> bool:
    return (
        template_pack == "bootstrap5"
        and not label_class
        and not field_class
        and getattr(form_or_field, "helper", None) is None
    )


@register.filter(name="crispy")
def as_crispy_form(form, template_pack=TEMPLATE_PACK, label_class="", field_class="") -> SafeString:
    """`{{ form|crispy }}`: crispy's uni_form.html, its fields written here when they can be."""
    if isinstance(form, forms.formsets.BaseFormSet) or not _plain(form, template_pack, label_class, field_class):
        return crispy.as_crispy_form(form, template_pack, label_class, field_class)
    parts = []
    if form.non_field_errors():
        parts.append(str(crispy.as_crispy_errors(form, template_pack)).strip())
    for field in form:
        kind = _kind(field)
        if kind is None:
            parts.append(str(crispy.as_crispy_field(field, template_pack)).strip())
        else:
            parts.append(field_html(field, kind))
    return mark_safe(" ".join(parts))  # noqa: S308 — every value is escaped, the widgets are Django's


@register.filter(name="as_crispy_field")
def as_crispy_field(field, template_pack=TEMPLATE_PACK, label_class="", field_class="") -> SafeString:
    """`{{ form.field|as_crispy_field }}`: crispy's field.html, written here when it can be."""
    kind = _kind(field) if isinstance(field, forms.BoundField) else None
    if kind is None or not _plain(field.form, template_pack, label_class, field_class):
        return crispy.as_crispy_field(field, template_pack, label_class, field_class)
    # crispy's field.html, not made spaceless as the form's template is, has whitespace around
    return mark_safe(f" {field_html(field, kind)} ")  # noqa: S308 — every value is escaped, the widget is Django's
