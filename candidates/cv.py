"""The CV a candidate uploads: PDF or DOCX, at most 5 MB, checked by its content, never by its
name or the Content-Type the browser claims.

These checks keep out what is not a CV (an executable, a web page, a spreadsheet, a document
with macros, a zip bomb). They do not make a file safe to open: the download view still sends
every CV as an attachment, with nosniff and a sandbox policy."""

import io
import re
import zipfile
from xml.etree import ElementTree

import pikepdf
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

MAX_BYTES = 5 * 1024 * 1024
PDF, DOCX = "pdf", "docx"

MESSAGES = {
    "empty": _("Le fichier est vide. Choisissez de nouveau votre CV."),
    "too_big": _("Le fichier dépasse 5 Mo. Envoyez une version plus légère."),
    "kind": _("Envoyez votre CV en PDF ou en Word (DOCX)."),
    "pdf_damaged": _(
        "Ce PDF semble abîmé ou incomplet. Enregistrez de nouveau votre CV en PDF depuis votre logiciel, "
        "puis réessayez."
    ),
    "docx_damaged": _(
        "Ce document Word semble abîmé. Enregistrez de nouveau votre CV en Word (DOCX) depuis votre logiciel, "
        "puis réessayez."
    ),
    "not_word": _("Ce fichier n'est pas un document Word. Envoyez votre CV en PDF ou en Word (DOCX)."),
    "docx_macros": _(
        "Ce document Word contient des macros ou des éléments actifs. Enregistrez votre CV en document Word "
        "ordinaire (DOCX) ou en PDF, puis réessayez."
    ),
    "docx_too_big": _("Ce document Word contient trop de données. Enregistrez votre CV en PDF, puis réessayez."),
    "pdf_active": _(
        "Ce PDF contient des éléments actifs (JavaScript, actions à l'ouverture, fichiers joints ou formulaires "
        "dynamiques). Imprimez ou enregistrez votre CV en PDF ordinaire depuis votre logiciel, puis réessayez."
    ),
    "polyglot": _(
        "Ce fichier contient aussi une page web. Enregistrez votre CV de nouveau en PDF ou en Word (DOCX) depuis "
        "votre logiciel, puis réessayez."
    ),
}

# --- PDF ---
PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
PDF_TAIL_BYTES = 1024
# The file ends with "startxref <offset> %%EOF", then at most some whitespace (PDF's own set).
PDF_TRAILER = re.compile(rb"startxref\s+(\d{1,10})\s+%%EOF[\x00\t\n\x0c\r ]*\Z")
# What startxref points at: a classic xref table, or a cross-reference stream object (PDF 1.5+).
PDF_XREF_AT = re.compile(rb"[\x00\t\n\x0c\r ]*(?:xref|\d{1,10}[\x00\t\n\x0c\r ]+\d{1,5}[\x00\t\n\x0c\r ]+obj)")
PDF_OBJECT = re.compile(rb"\d{1,10}[\x00\t\n\x0c\r ]+\d{1,5}[\x00\t\n\x0c\r ]+obj\b")

# What a PDF reader runs or opens by itself: scripts, actions on opening, launching a program,
# embedded files, rich media, XFA forms. A CV needs none of them.
PDF_ACTIVE_KEYS = ("/JS", "/JavaScript", "/OpenAction", "/AA", "/EmbeddedFile", "/EmbeddedFiles", "/XFA", "/RichMedia")
PDF_ACTIVE_ACTIONS = (
    "/JavaScript",
    "/Launch",
    "/ImportData",
    "/SubmitForm",
    "/RichMediaExecute",
    "/GoToE",
    "/Rendition",
)
PDF_ACTIVE_SUBTYPES = ("/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D")
# A file that a browser would also read as a web page or an image with scripts (a polyglot).
MARKUP = re.compile(rb"<(?:script|html|svg|body|iframe|object|embed|!doctype)[\s>/]", re.IGNORECASE)

# --- DOCX ---
ZIP_HEADER = b"PK\x03\x04"
DOCX_MAX_ENTRIES = 1000
DOCX_MAX_UNCOMPRESSED = 50 * 1024 * 1024
DOCX_MAX_RATIO = 100  # deflate gives 5-20× on Word's XML; a bomb gives ~1000×
DOCX_RATIO_FROM = 1024 * 1024  # small parts may compress far better; only large ones are judged
DOCX_MAX_XML_PART = 5 * 1024 * 1024  # [Content_Types].xml and .rels parts, read whole
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Relationships that make Word fetch and run something from elsewhere when the file is opened
# (remote template injection, Follina's external oleObject). External hyperlinks stay allowed.
ACTIVE_EXTERNAL_RELATIONSHIPS = ("/attachedTemplate", "/oleObject", "/subDocument", "/frame", "/package")


def _fail(kind: str) -> ValidationError:
    return ValidationError(MESSAGES[kind], code=kind)


def validate_cv(file: UploadedFile) -> str:
    """Return the file's kind ("pdf" or "docx"); raise ValidationError with a message for people.
    The file is left at position 0."""
    if file.size > MAX_BYTES:
        raise _fail("too_big")  # before reading anything
    if file.size == 0:
        raise _fail("empty")
    try:
        file.seek(0)
        data = file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:  # a size that lied
            raise _fail("too_big")
        if not data:
            raise _fail("empty")
        if data.startswith(b"%PDF-"):
            _check_pdf(data)
            _check_not_markup(data)
            _check_pdf_inactive(data)
            return PDF
        if data.startswith(ZIP_HEADER):
            _check_docx(data)
            _check_not_markup(data)
            return DOCX
        raise _fail("kind")
    finally:
        file.seek(0)


def _check_pdf(data: bytes) -> None:
    """A PDF header with a version, a trailer that ends the file (startxref, %%EOF) and whose
    offset points at a cross-reference table or stream, and at least one object."""
    if not PDF_HEADER.match(data):
        raise _fail("pdf_damaged")
    trailer = PDF_TRAILER.search(data, max(0, len(data) - PDF_TAIL_BYTES))
    if trailer is None:
        raise _fail("pdf_damaged")
    offset = int(trailer.group(1))
    if not 0 < offset < trailer.start() or not PDF_XREF_AT.match(data, offset):
        raise _fail("pdf_damaged")
    if not PDF_OBJECT.search(data) or b"endobj" not in data:
        raise _fail("pdf_damaged")


def _check_not_markup(data: bytes) -> None:
    if MARKUP.search(data):
        raise _fail("polyglot")


def _check_pdf_inactive(data: bytes) -> None:
    """Refuse a PDF with active content, read from its structure (pikepdf, on qpdf): every object
    of the file, compressed object streams included, not only what the pages show."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except (pikepdf.PdfError, ValueError, RecursionError):
        raise _fail("pdf_damaged") from None
    with pdf:
        for obj in pdf.objects:
            if _is_active(obj):
                raise _fail("pdf_active")


def _is_active(obj, depth: int = 0) -> bool:
    """An object, and the dictionaries and arrays written inside it (those referred to are objects
    of their own, each visited by the caller), with a key or an action that makes a reader act."""
    if depth > 50:
        return True  # nesting no writer produces: refused rather than followed
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        if set(obj.keys()).intersection(PDF_ACTIVE_KEYS):
            return True
        if str(obj.get("/S", "")) in PDF_ACTIVE_ACTIONS or str(obj.get("/Subtype", "")) in PDF_ACTIVE_SUBTYPES:
            return True
        children = obj.values()
    elif isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        return False
    return any(
        _is_active(child, depth + 1)
        for child in children
        if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect
    )


def _check_docx(data: bytes) -> None:
    """A sound zip, small once inflated, that declares a Word main document present in the
    package, with no macros and no external template or object."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _fail("docx_damaged") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > DOCX_MAX_ENTRIES:
            raise _fail("docx_too_big")
        if sum(e.file_size for e in entries) > DOCX_MAX_UNCOMPRESSED:
            raise _fail("docx_too_big")
        if any(e.file_size > DOCX_RATIO_FROM and e.file_size > DOCX_MAX_RATIO * e.compress_size for e in entries):
            raise _fail("docx_too_big")
        # OPC part names are case-insensitive.
        names = {e.filename.lower(): e for e in entries}
        if any(name.rsplit("/", 1)[-1] == "vbaproject.bin" for name in names):
            raise _fail("docx_macros")
        content_types = names.get("[content_types].xml")
        if content_types is None:
            raise _fail("not_word")
        try:
            # testzip reads every entry (at most DOCX_MAX_UNCOMPRESSED in all) and checks its CRC;
            # ZipExtFile never inflates past the size an entry declares.
            if archive.testzip() is not None:
                raise _fail("docx_damaged")
            types = _xml(archive, content_types)
            declared = [(el.get("ContentType") or "", el.get("PartName") or "") for el in types]
            if any("macroenabled" in ct.lower() or "vbaproject" in ct.lower() for ct, _part in declared):
                raise _fail("docx_macros")
            main_parts = [part.lstrip("/").lower() for ct, part in declared if ct == WORD_MAIN and part]
            if not main_parts or not all(part in names for part in main_parts):
                raise _fail("not_word")
            for name, entry in names.items():
                if name.endswith(".rels"):
                    _check_relationships(_xml(archive, entry))
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, OSError):
            # Corrupt data, encrypted entries, unknown compression methods.
            raise _fail("docx_damaged") from None


def _xml(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> ElementTree.Element:
    if entry.file_size > DOCX_MAX_XML_PART:
        raise _fail("docx_too_big")
    raw = archive.read(entry)
    # No DTD, so no entity expansion (billion laughs) and no external entities.
    if b"<!DOCTYPE" in raw:
        raise _fail("docx_damaged")
    try:
        return ElementTree.fromstring(raw)  # noqa: S314 -- no DTD, checked above
    except ElementTree.ParseError:
        raise _fail("docx_damaged") from None


def _check_relationships(rels: ElementTree.Element) -> None:
    for rel in rels.iter(f"{RELS_NS}Relationship"):
        if (rel.get("TargetMode") or "").lower() != "external":
            continue
        target = (rel.get("Target") or "").strip().lower()
        if (rel.get("Type") or "").endswith(ACTIVE_EXTERNAL_RELATIONSHIPS) or target.startswith(
            ("mhtml:", "file:", "\\\\", "ms-")
        ):
            raise _fail("docx_macros")
