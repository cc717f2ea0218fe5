import os
import shutil

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
    """allauth's rate limits count in the cache: each test starts with none spent."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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
