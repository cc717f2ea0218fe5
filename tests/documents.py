"""Real documents built in the tests (no binary fixtures in the repository)."""


def make_pdf(*, padding: int = 0, catalog: bytes = b"", extra: tuple[bytes, ...] = ()) -> bytes:
    """A one-page PDF with an exact xref table; `padding` adds a stream of that many bytes,
    `catalog` entries to the catalog, `extra` objects numbered from 6 (before the padding)."""
    text = b"BT /F1 24 Tf 72 720 Td (Amina Diallo) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *extra,
    ]
    if padding:
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (padding, b"\0" * padding))
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
