"""`make backup` then `make restore` give back the rows and the CVs' bytes, on a PostgreSQL
database of the test's own (whatever database the suite runs on), with the CVs in a local folder
or in an S3 bucket (moto's server). Needs PostgreSQL and its client tools: under CI=true their
absence fails the test."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import require

REPO_ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = os.environ.get("BACKUP_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")

SEED = """
import json
from django.core.files.uploadedfile import SimpleUploadedFile
from candidates.cv import validate_cv
from candidates.models import Candidate
from candidates.services import candidate_set_cv
from tests.documents import make_pdf
from tests.factories import CandidateFactory, ReferralFactory, TerritoryFactory

territory = TerritoryFactory()
for i in range(4):
    candidate = CandidateFactory(target_territory=territory)
    file = SimpleUploadedFile("cv.pdf", make_pdf(padding=100 * i))
    candidate_set_cv(candidate=candidate, file=file, kind=validate_cv(file))
ReferralFactory(candidate=candidate, territory=territory)
"""

COUNT = """
import json
from django.apps import apps
from candidates.models import Candidate
counts = {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in
          ("accounts", "candidates", "referrals", "territories", "notifications")}
cvs = {c.pk: c.cv.open("rb").read().hex() for c in Candidate.objects.exclude(cv="")}
print(json.dumps({"counts": counts, "cvs": cvs}))
"""


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG_SERVER}/postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, timeout=60)


@pytest.fixture
def pg_database():
    require(shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None, "pg_dump and pg_restore")
    ready = (
        subprocess.run(["pg_isready", "-d", f"{PG_SERVER}/postgres"], check=False)
        if shutil.which("pg_isready")
        else None
    )
    require(ready is not None and ready.returncode == 0, f"PostgreSQL at {PG_SERVER}")
    name = f"pajr_backup_{uuid.uuid4().hex[:10]}"
    psql(f"CREATE DATABASE {name}")
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["local", "s3"])
def storage_env(request, tmp_path):
    if request.param == "local":
        return {}
    bucket = request.getfixturevalue("s3_bucket")
    return {
        "STORAGE_S3_BUCKET": bucket.name,
        "STORAGE_S3_ENDPOINT_URL": bucket.endpoint,
        "STORAGE_S3_REGION": "us-east-1",
        "STORAGE_S3_ACCESS_KEY_ID": "testing",
        "STORAGE_S3_SECRET_ACCESS_KEY": "testing-secret",
    }


def test_backup_wipe_restore_gives_back_the_rows_and_the_cvs(pg_database, storage_env, tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("STORAGE_S3_", "MAKE"))},
        "DJANGO_READ_DOT_ENV": "0",
        "DEBUG": "true",
        "DATABASE_URL": pg_database,
        "VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "pajr.settings",
        **storage_env,
    }

    def run(*command: str) -> str:
        done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def python(code: str) -> str:
        return run(sys.executable, "-c", "import django; django.setup()\n" + code)

    run(sys.executable, "manage.py", "migrate", "--no-input", "-v0")
    python(SEED)
    before = json.loads(python(COUNT))
    assert len(before["cvs"]) == 4 and before["counts"]["candidates.Candidate"] == 4

    run("make", "--no-print-directory", "backup", f"BACKUP_DIR={tmp_path / 'backups'}", f"PY={sys.executable}")
    [backup] = (tmp_path / "backups").iterdir()
    assert {p.name for p in backup.iterdir()} == {"database.dump", "manifest.json", "files"}

    # Wipe: every table, every CV.
    python(
        "import json\nfrom django.db import connection\nfrom common.storage import private_storage\n"
        "with connection.cursor() as c: c.execute('DROP SCHEMA public CASCADE; CREATE SCHEMA public')\n"
        f"for name in json.loads(open({str(backup / 'manifest.json')!r}).read())['files']:\n"
        "    private_storage.delete(name)\n"
    )
    with pytest.raises(AssertionError):
        python(COUNT)  # nothing left to count

    assert "restored:" in run("make", "--no-print-directory", "restore", f"BACKUP={backup}", f"PY={sys.executable}")

    assert json.loads(python(COUNT)) == before
