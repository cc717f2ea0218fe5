"""English is the platform's second language: every French message has its English translation,
none left fuzzy, and the compiled catalogue is the one the .po file describes."""

import gettext
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _entries(text: str) -> list[str]:
    return [block for block in re.split(r"\n\s*\n", text) if "msgid" in block and not block.lstrip().startswith("#~")]


def _strings(block: str, keyword: str) -> str:
    """The concatenated value of `keyword` ("msgid", "msgstr", "msgstr[0]"…) in one entry."""
    match = re.search(rf'^{re.escape(keyword)} ((?:".*"\n?)+)', block + "\n", re.M)
    return "".join(re.findall(r'"(.*)"', match[1])) if match else ""


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = _entries(PO.read_text(encoding="utf-8"))[1:]  # the first is the header
    fuzzy = [_strings(block, "msgid") for block in entries if re.search(r"^#,.*\bfuzzy\b", block, re.M)]
    untranslated = [
        _strings(block, "msgid") for block in entries if not (_strings(block, "msgstr") or _strings(block, "msgstr[0]"))
    ]
    assert len(entries) > 900
    assert fuzzy == []
    assert untranslated == []


ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda match: ESCAPES.get(match[1], match[0]), value)


def test_the_committed_mo_is_the_compiled_po():
    """Django reads the .mo: a .po edited without `compilemessages` would leave English pages in
    French."""
    with MO.open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog
    missing = []
    for block in _entries(PO.read_text(encoding="utf-8"))[1:]:
        if "msgid_plural" in block or re.search(r"^msgctxt", block, re.M):
            continue
        msgid, msgstr = _unescape(_strings(block, "msgid")), _unescape(_strings(block, "msgstr"))
        if catalog.get(msgid) != msgstr:
            missing.append(msgid)
    assert missing == []
