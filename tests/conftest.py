import dataclasses
import os
import shutil
import socket
import urllib.request
from collections.abc import Iterator

import pytest

from pajr.celery import app as celery_app

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(available: bool, what: str) -> None:
    """Skip a test whose outside service is missing, except under CI=true, where it fails."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available")
    pytest.skip(f"{what} is not available")


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(autouse=True)
def _celery_eager(request):
    """Unit tests run tasks in-process when the transaction commits. Tests marked `worker`
    talk to a real Celery worker instead."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth's rate limits count in the cache: each test starts with none spent. The queue's
    lists and the directory each process keeps (common.kept) go too: a test's territories and
    counsellors are not the next one's; nor the layout's fragments (templates/base.html)."""
    from django.core.cache import caches

    from common.kept import forget_all

    for cache in caches.all():
        cache.clear()
    forget_all()
    yield
    for cache in caches.all():
        cache.clear()
    forget_all()


@pytest.fixture(autouse=True)
def _statements_verified(monkeypatch):
    """Every statement compiled once (common.statements) is compiled in full again on each reuse
    and must be the same: a page's tests check its reused SQL."""
    from common import statements

    monkeypatch.setattr(statements, "VERIFY", True)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.DEV_MAILBOX_DIR = tmp_path / "mail"
    # Hashing is not under test here; PBKDF2's 1M rounds would make each factory user cost 0.5 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _force_login_is_a_full_sign_in(monkeypatch):
    """In tests, `force_login` stands for a complete sign-in: for staff, with the second factor
    (accounts.second_factor). The second factor's own tests sign in for real."""
    from django.test.client import ClientMixin

    from accounts.second_factor import ENROLLED_IN_SESSION

    original = ClientMixin._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[ENROLLED_IN_SESSION] = True
        session.save()

    monkeypatch.setattr(ClientMixin, "_login", _login)


@pytest.fixture
def counsellor(db):
    from tests.factories import CounsellorFactory

    return CounsellorFactory()


@pytest.fixture
def territory(db):
    from tests.factories import AgentFactory, TerritoryFactory

    territory = TerritoryFactory()
    AgentFactory(territories=[territory])
    return territory


@pytest.fixture
def agent(territory):
    """The active agent of `territory`, with the account they sign in with by code."""
    from territories.services import agent_account_ensure

    agent = territory.agents.get()
    agent_account_ensure(agent=agent)
    return agent


@dataclasses.dataclass
class S3Bucket:
    """A bucket on a local S3 server (moto's server mode, over HTTP on a loopback port)."""

    endpoint: str
    name: str
    client: object
    server: object
    prefix: str = "private"

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name).get("Contents", [])
        return sorted(item["Key"] for item in listed)

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture
def s3_bucket(settings, tmp_path) -> Iterator[S3Bucket]:
    """The "private" storage on a bucket of a moto server started here; MEDIA_ROOT points to an
    empty folder, to show that nothing lands on the local disk."""
    import boto3
    from moto.server import ThreadedMotoServer

    from pajr.s3 import private_s3_storage

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # moto keeps its buckets in the process, across servers: start from none.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10)  # noqa: S310
    credentials = {"region": "us-east-1", "access_key": "testing", "secret_key": "testing-secret"}
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name=credentials["region"],
        aws_access_key_id=credentials["access_key"], aws_secret_access_key=credentials["secret_key"],
    )  # fmt: skip
    client.create_bucket(Bucket="pajr-cvs")
    settings.MEDIA_ROOT = tmp_path / "local-private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": private_s3_storage(bucket="pajr-cvs", endpoint_url=endpoint, **credentials),
    }
    try:
        yield S3Bucket(endpoint=endpoint, name="pajr-cvs", client=client, server=server)
    finally:
        server.stop()
