"""The files of deploy/ agree with the settings and with each other (the stack itself runs in
test_stack.py): the proxy's body limit sits just above the CV limit, a CV at that limit gets
through Django with its form around it, gunicorn's access log cannot hold a query string, the
units run one worker per queue group and one beat."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from gunicorn.config import Config

from candidates.cv import MAX_BYTES
from candidates.models import Candidate
from tests.deploy.stack import DEPLOY, REPO, env_file, unit_command
from tests.documents import make_pdf
from tests.factories import CandidateFactory

SIZES = {"k": 1024, "m": 1024 * 1024}


def nginx_body_limit() -> int:
    (value,) = re.findall(
        r"^\s*client_max_body_size\s+(\d+)([km]?);", (DEPLOY / "nginx" / "pajr.conf").read_text(), re.M
    )
    return int(value[0]) * SIZES.get(value[1], 1)


def test_the_proxy_refuses_what_django_would_refuse_and_lets_a_cv_with_its_form_through():
    assert nginx_body_limit() == settings.MAX_REQUEST_BYTES
    assert settings.UPLOAD_MAX_BYTES == MAX_BYTES < nginx_body_limit() <= MAX_BYTES + 2 * 1024 * 1024


@pytest.mark.django_db
def test_a_cv_of_exactly_the_limit_is_kept_with_the_form_around_it(client, settings, tmp_path):
    """Django's memory handler compares the whole request's length with FILE_UPLOAD_MAX_MEMORY_SIZE:
    at the CV limit, a 5 MB CV plus the form's fields was dropped without a word."""
    settings.MEDIA_ROOT = tmp_path / "private"
    candidate = CandidateFactory(status="draft", registration_step=3, consents=False)
    client.force_login(candidate.user)
    padding = MAX_BYTES - len(make_pdf(padding=1))
    while len(cv := make_pdf(padding=padding)) != MAX_BYTES:
        padding += MAX_BYTES - len(cv)
    response = client.post(
        reverse("candidates:registration_step", args=[3]),
        {
            "occupation_field": "Soins infirmiers",
            "highest_diploma": "college",
            "years_experience": "3",
            "contact_method": "phone",
            "cv": SimpleUploadedFile("cv.pdf", cv, content_type="application/pdf"),
        },
    )

    assert response.status_code == 302
    stored = Candidate.objects.get(pk=candidate.pk).cv
    assert stored
    assert (Path(settings.MEDIA_ROOT) / stored.name).read_bytes() == cv


def test_gunicorn_logs_no_query_string_no_referrer_and_redacts_link_tokens(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    config = Config()
    for name, value in _gunicorn_settings().items():
        config.set(name, value)

    assert config.logger_class.__name__ == "RedactingLogger"
    assert config.workers == 3
    assert config.worker_class_str == "pajr.gunicorn_worker.SheddingThreadWorker"  # gthread, shedding load
    assert config.worker_class.__mro__[1].__name__ == "ThreadWorker"
    fields = set(re.findall(r"%\((\w+)\)s", config.access_log_format))
    assert "U" in fields
    assert not fields & {"r", "q", "f"}  # request line with its query, the query, the referrer


def test_gunicorn_runs_one_single_threaded_worker_per_cpu_and_one_more_by_default(monkeypatch):
    """make load on two cores: 3 x 1 held 140 req/s where 3 x 2, 6 x 1 and 10 x 1 shed requests
    (the threads of a process wait for its GIL; more processes add switching, not work), and a
    worker replaced every 2,000 requests cost 498 shed requests at 145 req/s; docs/benchmarks.md,
    "Load"."""
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)
    values = _gunicorn_settings()

    assert values["workers"] == len(os.sched_getaffinity(0)) + 1
    assert values["threads"] == 1
    assert values["max_requests"] == 20000
    assert values["max_requests_jitter"] == 2000


def test_the_root_gunicorn_configuration_is_the_deploy_one():
    def comparable(values: dict) -> dict:  # each run of the file makes its own hook functions
        return {name: value.__code__ if callable(value) else value for name, value in values.items()}

    root = _gunicorn_settings(REPO / "gunicorn.conf.py")
    assert "post_worker_init" in root
    assert comparable(root) == comparable(_gunicorn_settings())


def test_each_worker_freezes_what_it_loaded_out_of_the_garbage_collector_s_walks():
    import gc

    before = gc.get_freeze_count()
    try:
        _gunicorn_settings()["post_worker_init"](worker=None)
        assert gc.get_freeze_count() - before > 10_000  # Django, the apps, pytest: all loaded by now
    finally:
        gc.unfreeze()


def test_one_worker_per_queue_group_and_one_beat(tmp_path):
    target = (DEPLOY / "systemd" / "pajr.target").read_text()
    (wants,) = re.findall(r"^Wants=(.*)$", target, re.M)
    assert sorted(wants.split()) == [
        "pajr-beat.service",
        "pajr-web.service",
        "pajr-worker@default.service",
        "pajr-worker@emails.service",
    ]
    for queue in ("emails", "default"):
        command = unit_command("pajr-worker@.service", instance=queue, state_dir=tmp_path)
        assert command[command.index("-Q") + 1] == queue
    assert "beat" in unit_command("pajr-beat.service", state_dir=tmp_path)
    web = unit_command("pajr-web.service", state_dir=tmp_path)
    assert web[-2:] == ["-c", "deploy/gunicorn.conf.py"]


def test_the_production_environment_trusts_the_proxy_and_names_the_default_queue():
    values = env_file(DEPLOY / "pajr.env.example")
    assert values["BEHIND_TLS_PROXY"] == "true"
    assert values["DEBUG"] == "false"
    assert values["CELERY_TASK_DEFAULT_QUEUE"] == "default"
    assert values["SITE_URL"].startswith("https://")


def _gunicorn_settings(path: Path = DEPLOY / "gunicorn.conf.py") -> dict:
    import runpy

    known = Config().settings
    return {k: v for k, v in runpy.run_path(str(path)).items() if k in known}
