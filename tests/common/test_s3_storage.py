"""CVs on S3-compatible object storage (STORAGE_S3_* → STORAGES["private"]), against a real local
S3 server (moto in server mode, over HTTP): the upload of the registration, the authorized
download streamed by the view, the 404 for others, deletion on anonymization and by the
retention purge, no public URL, the probe of /sante/, and the CV in both exports."""

import datetime
import io
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from candidates.choices import AnonymizationReason
from candidates.models import Candidate
from candidates.services import candidate_anonymize
from common.storage import private_storage
from pajr.health import storage_ok
from privacy.access_request import access_request_zip
from privacy.purge import purge_personal_data
from tests.documents import make_pdf
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db
REPO_ROOT = Path(__file__).resolve().parents[2]


def register_cv(client, candidate, data: bytes, name: str = "Mon CV.pdf"):
    """Step 3 of the registration, as the candidate's browser posts it."""
    client.force_login(candidate.user)
    return client.post(
        reverse("candidates:registration_step", args=[3]),
        {
            "occupation_field": "Soins infirmiers",
            "highest_diploma": "college",
            "years_experience": "3",
            "contact_method": "phone",
            "cv": SimpleUploadedFile(name, data, content_type="application/pdf"),
        },
    )


@pytest.fixture
def with_cv(client, s3_bucket):
    candidate = CandidateFactory(status="draft", registration_step=3, consents=False)
    response = register_cv(client, candidate, make_pdf())
    assert response.status_code == 302, response.content.decode()[:2000]
    candidate.refresh_from_db()
    assert candidate.cv
    return candidate


def anonymous_get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - the test's loopback server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_registration_stores_the_cv_in_the_bucket_and_nowhere_on_disk(with_cv, s3_bucket, settings):
    key = f"private/{with_cv.cv.name}"

    assert s3_bucket.keys() == [key]
    assert s3_bucket.read(key) == make_pdf()
    assert not Path(settings.MEDIA_ROOT).exists()


def test_the_object_has_no_public_url(with_cv, s3_bucket):
    key = f"private/{with_cv.cv.name}"

    assert anonymous_get(f"{s3_bucket.endpoint}/{s3_bucket.name}/{key}") == 403
    acl = s3_bucket.client.get_object_acl(Bucket=s3_bucket.name, Key=key)
    assert not [grant for grant in acl["Grants"] if grant["Grantee"].get("URI", "").endswith("/AllUsers")]
    # A URL made by the backend is signed and expires within a minute.
    signed = private_storage.url(with_cv.cv.name)
    assert "X-Amz-Signature=" in signed
    assert "X-Amz-Expires=60" in signed
    assert anonymous_get(signed.split("?")[0]) == 403


def test_the_candidate_downloads_the_cv_through_the_view_and_others_get_a_404(client, with_cv):
    url = reverse("my_file:cv_download", args=[with_cv.pk])

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == make_pdf()

    client.force_login(CandidateFactory().user)
    assert client.get(url).status_code == 404


def test_a_missing_object_is_a_404_not_a_500(client, with_cv, s3_bucket):
    s3_bucket.client.delete_object(Bucket=s3_bucket.name, Key=f"private/{with_cv.cv.name}")

    assert client.get(reverse("my_file:cv_download", args=[with_cv.pk])).status_code == 404


def test_anonymization_deletes_the_object(with_cv, s3_bucket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        candidate_anonymize(candidate=with_cv, by=None, reason=AnonymizationReason.PERSON_REQUEST)

    assert s3_bucket.keys() == []


def test_the_retention_purge_deletes_the_object(with_cv, s3_bucket, settings):
    Candidate.objects.filter(pk=with_cv.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=settings.RETENTION["cvs"] + 1)
    )

    purge_personal_data(wet_run=True)

    assert s3_bucket.keys() == []
    assert not Candidate.objects.get(pk=with_cv.pk).cv


def test_both_exports_include_the_cv_from_the_bucket(client, with_cv):
    response = client.get(reverse("my_file:export"))
    with zipfile.ZipFile(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ) as zf:
        assert zf.read("cv/Mon CV.pdf") == make_pdf()

    with zipfile.ZipFile(io.BytesIO(access_request_zip(with_cv))) as zf:
        assert zf.read("cv/Mon CV.pdf") == make_pdf()


def test_the_health_probe_writes_reads_and_deletes_in_the_bucket_and_fails_when_it_is_gone(s3_bucket):
    assert storage_ok() is True
    assert s3_bucket.keys() == []

    s3_bucket.server.stop()

    assert storage_ok() is False


def test_the_environment_selects_the_bucket():
    """STORAGE_S3_* in the environment, as on a production host."""
    env = {
        **os.environ,
        "DJANGO_READ_DOT_ENV": "0",
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "pajr.settings",
        "STORAGE_S3_BUCKET": "cvs",
        "STORAGE_S3_ENDPOINT_URL": "https://s3.example.org",
        "STORAGE_S3_REGION": "ca-central-1",
    }
    script = (
        "import json; from django.conf import settings; o = dict(settings.STORAGES['private']);"
        "o['OPTIONS'] = {k: v for k, v in o['OPTIONS'].items() if k != 'client_config'}; print(json.dumps(o))"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    private = json.loads(done.stdout)
    assert private["BACKEND"] == "storages.backends.s3.S3Storage"
    assert private["OPTIONS"] | {"access_key": None, "secret_key": None} == {
        "bucket_name": "cvs",
        "location": "private",
        "endpoint_url": "https://s3.example.org",
        "region_name": "ca-central-1",
        "access_key": None,
        "secret_key": None,
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 60,
        "file_overwrite": False,
        "object_parameters": {"ContentDisposition": "attachment"},
    }
