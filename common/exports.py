"""The one writer of CSV and XLSX files people download: every export goes through here, so that
no cell a person or a territory's name typed runs as a formula in a spreadsheet."""

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def defuse(value) -> str | int | float:
    """The cell as written: numbers stay numbers; text that a spreadsheet would read as a formula
    gets a leading apostrophe, which spreadsheets show as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def csv_text(header: Sequence, rows: Iterable[Sequence]) -> str:
    """UTF-8 text with a byte-order mark, so that spreadsheets read the accents right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([defuse(cell) for cell in header])
    writer.writerows([defuse(cell) for cell in row] for row in rows)
    return "\ufeff" + out.getvalue()


def undefuse(value: str) -> str:
    """A cell read back from a CSV this module wrote (an import of an export): without the
    apostrophe `defuse` added."""
    return value[1:] if value.startswith("'") and value[1:2].startswith(FORMULA_PREFIXES) and value[1:2] else value


def xlsx_bytes(header: Sequence, rows: Iterable[Sequence], *, sheet: str) -> bytes:
    """One sheet; text cells are typed as text, which a spreadsheet never runs as a formula, so
    they are written as they are ("+1 418-555-0123" stays a phone number); numbers as numbers."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])

    def cells(values: Sequence) -> list:
        row = []
        for value in values:
            if value is None or isinstance(value, bool):
                value = "" if value is None else str(value)
            cell = WriteOnlyCell(worksheet, value=value if isinstance(value, int | float) else str(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a string cell, whatever it starts with
            row.append(cell)
        return row

    worksheet.append(cells(header))
    for values in rows:
        worksheet.append(cells(values))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def download(content: str | bytes, *, filename: str, content_type: str) -> HttpResponse:
    """An attachment that no cache keeps (exports carry personal data or staff figures)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response


def csv_response(header: Sequence, rows: Iterable[Sequence], *, filename: str) -> HttpResponse:
    return download(csv_text(header, rows), filename=filename, content_type="text/csv; charset=utf-8")


def xlsx_response(header: Sequence, rows: Iterable[Sequence], *, filename: str, sheet: str) -> HttpResponse:
    return download(xlsx_bytes(header, rows, sheet=sheet), filename=filename, content_type=XLSX_TYPE)


def zip_bytes(files: Iterable[tuple[str, str | bytes]]) -> bytes:
    """A ZIP of (name, content) pairs; text is written as UTF-8."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return out.getvalue()
