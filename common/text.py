"""Free text as people type it, cleaned before it is checked or stored."""

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _


def strip_control_characters(value: str, *, multiline: bool = False) -> str:
    """Free text without control characters (escape sequences, NUL, …). A single line keeps single
    spaces; several lines keep their line breaks."""
    if multiline:
        lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        value = "\n".join(" ".join(line.split()) for line in lines)
    else:
        value = " ".join(value.split())
    return "".join(c for c in value if c == "\n" or unicodedata.category(c) != "Cc").strip()


class PlainTextField(forms.CharField):
    """One line of free text, cleaned of control characters before the length is checked."""

    multiline = False

    def to_python(self, value):
        value = super().to_python(value)
        return strip_control_characters(value, multiline=self.multiline) if value else value


class PlainTextAreaField(PlainTextField):
    multiline = True


def clean_name(value: str) -> str:
    """A person's name: one line, single spaces, no control character (refused, not stripped:
    a name is not free text, so a hidden character in it is a mistake worth telling)."""
    value = " ".join(value.split())  # also removes tabs, newlines and other control whitespace
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise forms.ValidationError(_("Ce champ contient des caractères non permis."), code="control")
    if not value:
        raise forms.ValidationError(_("Ce champ est obligatoire."), code="required")
    return value
