"""Form widgets."""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict) -> SafeString:
    """What django/forms/widgets/attrs.html writes: ` name="value"`, ` name` for True, nothing for False."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class FastSelect(forms.Select):
    """A select whose options are written in Python rather than by one template include each.

    Django renders every <option> through `select_option.html` and `attrs.html`: some 80 µs an
    option, 5 ms for the 62 territories of a territory select, a select or two on the counsellor's
    file page, three at registration step 4. The HTML is the same, character for character, as
    forms.Select's (tests/common/test_widgets.py compares them)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in group_choices:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>\n',
                        str(option["value"]),
                        _attrs(option["attrs"]),
                        option["label"],
                    )
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped by format_html
