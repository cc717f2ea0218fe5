"""Free text as people type it, cleaned before it is checked or stored."""

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

# Characters that change how the text around them is shown without being seen: bidirectional
# overrides and isolates (a name shown reversed to staff, "Trojan Source"), and zero-width
# characters (two names that look alike and differ). Stripped from names and single lines; free
# text of several lines keeps its right-to-left marks, which Arabic and Hebrew sentences need.
INVISIBLE_FORMATTING = frozenset(
    "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)
BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def strip_control_characters(value: str, *, multiline: bool = False) -> str:
    """Free text without control characters (escape sequences, NUL, …). A single line keeps single
    spaces and loses every invisible formatting character; several lines keep their line breaks
    and lose the bidirectional overrides."""
    if multiline:
        lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        value = "\n".join(" ".join(line.split()) for line in lines)
        dropped = BIDI_OVERRIDES
    else:
        value = " ".join(value.split())
        dropped = INVISIBLE_FORMATTING
    return "".join(c for c in value if c == "\n" or (unicodedata.category(c) != "Cc" and c not in dropped)).strip()


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
    value = " ".join("".join(c for c in value if c not in INVISIBLE_FORMATTING).split())
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise forms.ValidationError(_("Ce champ contient des caractères non permis."), code="control")
    if not value:
        raise forms.ValidationError(_("Ce champ est obligatoire."), code="required")
    return value
