"""The production stack of deploy/, brought up on loopback and walked through over HTTPS:
nginx (the site of deploy/nginx/pajr.conf, a certificate made here) in front of gunicorn
(deploy/gunicorn.conf.py), PostgreSQL (the test database), Redis (a database number of its own),
a Celery worker per queue and beat, each started with its systemd unit's command and the
environment of deploy/pajr.env.example.

It runs once in CI, in the PostgreSQL pass (.ci/run leaves it out of the SQLite pass); under
CI=true a missing nginx, PostgreSQL or Redis fails it."""

import json
import os
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import global_settings
from django.db import connection

from devtools import rig
from tests.conftest import require
from tests.deploy.stack import (
    DEPLOY,
    REPO,
    HttpsClient,
    Process,
    env_file,
    free_port,
    make_certificate,
    nginx_main_config,
    port_answers,
    render_site,
    unit_command,
)
from tests.documents import make_pdf
from tests.factories import PASSWORD, CandidateFactory, CounsellorFactory, ReferralFactory, totp_code

STACK_REDIS_DB = os.environ.get("STACK_REDIS_DB", "8")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
SEARCHED = "Tremblay"


def redis_base() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    url = url if url.startswith("redis://") else "redis://127.0.0.1:6379/0"
    return url.rsplit("/", 1)[0]


@pytest.fixture
def stack(transactional_db, settings, tmp_path):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://…)")
    require(NGINX is not None, "nginx (apt-get install nginx)")
    broker = f"{redis_base()}/{STACK_REDIS_DB}"
    require(rig.redis_answers(broker), f"Redis at {broker}")
    # The users the test makes sign in through the real hashers, as production's would.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    import redis

    redis.Redis.from_url(broker).flushdb()  # this database number is the stack test's own

    http_port, https_port, web_port = free_port(), free_port(), free_port()
    var = tmp_path / "var"
    var.mkdir()
    cert, key = make_certificate(tmp_path)
    smtp = rig.serve_smtp()
    collector = smtp.__enter__()
    env = {
        **os.environ,
        **env_file(DEPLOY / "pajr.env.example"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SITE_URL": f"https://localhost:{https_port}",
        "DATABASE_URL": rig.worker_database_url(),
        "CELERY_BROKER_URL": broker,
        "REDIS_URL": broker,
        "EMAIL_URL": collector.url,
        "VAR_DIR": str(var),
        "GUNICORN_BIND": f"127.0.0.1:{web_port}",
        "GUNICORN_ACCESS_LOG": str(tmp_path / "gunicorn-access.log"),
        "WEB_CONCURRENCY": "2",
        # gunicorn would also take X-Forwarded-Proto from 127.0.0.1 (FORWARDED_ALLOW_IPS): not here,
        # so that the HTTPS pages prove that Django trusts the proxy (BEHIND_TLS_PROXY).
        "FORWARDED_ALLOW_IPS": "",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
    }
    collectstatic = subprocess.run(
        [str(REPO / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert collectstatic.returncode == 0, collectstatic.stderr
    site = tmp_path / "pajr-site.conf"
    site.write_text(
        render_site(
            {
                "SERVER_NAME": "localhost",
                "HTTP_LISTEN": f"127.0.0.1:{http_port}",
                "HTTPS_LISTEN": f"127.0.0.1:{https_port} ssl http2",
                "HTTPS_ORIGIN": f"https://localhost:{https_port}",
                "TLS_CERT": str(cert),
                "TLS_KEY": str(key),
                "STATIC_ROOT": str(var / "staticfiles"),
                "ERRORS_ROOT": str(DEPLOY / "nginx"),
                "UPSTREAM": f"127.0.0.1:{web_port}",
                "LOG_DIR": str(tmp_path),
            }
        )
    )
    (tmp_path / "nginx.conf").write_text(nginx_main_config(tmp_path, site))
    nginx_command = [
        NGINX,
        "-p",
        str(tmp_path),
        "-c",
        str(tmp_path / "nginx.conf"),
        "-e",
        str(tmp_path / "nginx-error.log"),
    ]
    checked = subprocess.run([*nginx_command, "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr

    processes = {
        "nginx": Process.start(
            "nginx", [*nginx_command, "-g", "daemon off;"], env=env, log_path=tmp_path / "nginx.out"
        ),
        "web": Process.start(
            "web", unit_command("pajr-web.service", state_dir=var), env=env, log_path=tmp_path / "web.log"
        ),
        **{
            f"worker-{queue}": Process.start(
                f"worker-{queue}",
                unit_command("pajr-worker@.service", instance=queue, state_dir=var),
                env=env,
                log_path=tmp_path / f"worker-{queue}.log",
            )
            for queue in ("emails", "default")
        },
        "beat": Process.start(
            "beat", unit_command("pajr-beat.service", state_dir=var), env=env, log_path=tmp_path / "beat.log"
        ),
    }
    try:
        processes["nginx"].wait_for(lambda p: port_answers(https_port) and port_answers(http_port))
        processes["web"].wait_for(lambda p: port_answers(web_port))
        for queue in ("emails", "default"):
            processes[f"worker-{queue}"].wait_for(lambda p: re.search(r"\S+ ready\.", p.log))
        processes["beat"].wait_for(lambda p: "beat: Starting" in p.log)
        yield {
            "env": env,
            "http_port": http_port,
            "https_port": https_port,
            "cafile": cert,
            "tmp": tmp_path,
            "var": var,
            "processes": processes,
        }
    finally:
        for process in processes.values():
            process.stop()
        smtp.__exit__(None, None, None)
        connection.close()


@pytest.mark.worker
def test_the_production_stack_serves_the_platform_over_https(stack, territory, agent):
    import http.client

    from candidates.cv import MAX_BYTES
    from candidates.models import Candidate
    from referrals.services import referral_link_create

    tmp, processes = stack["tmp"], stack["processes"]
    browser = HttpsClient(stack["https_port"], stack["cafile"])

    # Plain HTTP is sent to HTTPS, path and query kept.
    plain = http.client.HTTPConnection("localhost", stack["http_port"], timeout=10)
    plain.request("GET", "/conseil/?vue=tous")
    redirect = plain.getresponse()
    assert redirect.status == 301
    assert redirect.getheader("Location") == f"{browser.origin}/conseil/?vue=tous"
    plain.close()

    # The home page over TLS, with Django's security headers, and its static files from nginx.
    home = browser.get("/")
    assert home.status == 200, home.text[:500]
    assert "Place aux jeunes" in home.text
    assert home.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "default-src 'self'" in home.headers["Content-Security-Policy"]
    css = re.search(r'href="(/static/css/site[^"]*\.css)"', home.text).group(1)
    static = browser.get(css)
    assert static.status == 200
    assert "max-age=604800" in static.headers["Cache-Control"]  # nginx's, not WhiteNoise's

    # A counsellor signs in (password, then the authenticator's code) and opens the queue.
    counsellor = CounsellorFactory()
    login = browser.get("/comptes/login/")
    assert login.status == 200
    sent = browser.post(
        "/comptes/login/",
        {"csrfmiddlewaretoken": browser.csrf_token(login), "login": counsellor.email, "password": PASSWORD},
    )
    assert sent.status == 302, sent.text[:1000]
    second = browser.follow(sent)
    assert "/comptes/2fa/authenticate/" in sent.location, sent.location
    done = browser.post(
        "/comptes/2fa/authenticate/", {"csrfmiddlewaretoken": browser.csrf_token(second), "code": totp_code()}
    )
    assert done.status == 302, done.text[:1000]
    queue = browser.follow(done)
    assert queue.status == 200
    assert "/conseil/" in queue.text
    searched = browser.get(f"/conseil/?vue=tous&q={SEARCHED}")
    assert searched.status == 200
    assert "no-store" in searched.headers["Cache-Control"]

    # An agent opens the link of their email.
    candidate = CandidateFactory(target_territory=territory)
    referral = ReferralFactory(candidate=candidate)
    _, token = referral_link_create(referral=referral, agent=agent)
    link_visitor = HttpsClient(stack["https_port"], stack["cafile"])
    opened = link_visitor.get(f"/r/{token}/")
    assert opened.status == 302
    page = link_visitor.follow(opened)
    assert page.status == 200
    assert candidate.first_name in page.text

    # A candidate sends a CV of 5 MB: accepted; one of 7 MB: refused by nginx with our page.
    applicant = CandidateFactory(status="draft", registration_step=3, consents=False)
    person = HttpsClient(stack["https_port"], stack["cafile"])
    login = person.get("/comptes/login/")
    signed_in = person.post(
        "/comptes/login/",
        {"csrfmiddlewaretoken": person.csrf_token(login), "login": applicant.user.email, "password": PASSWORD},
    )
    assert signed_in.status == 302, signed_in.text[:1000]
    step = person.get("/inscription/etape-3/")
    assert step.status == 200
    fields = {
        "csrfmiddlewaretoken": person.csrf_token(step),
        "occupation_field": "Soins infirmiers",
        "highest_diploma": "college",
        "years_experience": "3",
        "contact_method": "phone",
    }
    padding = MAX_BYTES - len(make_pdf(padding=1))
    while len(cv := make_pdf(padding=padding)) != MAX_BYTES:
        padding += MAX_BYTES - len(cv)
    accepted = person.post("/inscription/etape-3/", fields, {"cv": ("cv.pdf", cv, "application/pdf")})
    assert accepted.status == 302, accepted.text[:2000]
    applicant = Candidate.objects.get(pk=applicant.pk)
    assert applicant.cv
    assert (stack["var"] / "private" / applicant.cv.name).read_bytes() == cv

    too_big = make_pdf(padding=7 * 1024 * 1024)
    refused = person.post("/inscription/etape-3/", fields, {"cv": ("cv.pdf", too_big, "application/pdf")})
    assert refused.status == 413
    assert refused.headers["Server"].startswith("nginx")
    assert refused.headers["Content-Type"].startswith("text/html")
    assert 'data-error="413"' in refused.text
    assert "Ce que vous envoyez est trop volumineux" in refused.text
    assert "What you are sending is too large" in refused.text
    assert browser.get("/static/css/site.css").status == 200  # the page's own stylesheet

    # The health check, through the proxy.
    health = browser.get("/sante/")
    assert health.status == 200, health.text
    assert health.headers["Content-Type"].startswith("application/json")
    assert json.loads(health.body)["status"] == "ok"

    # The two workers consume the queues their units name, over the stack's Redis.
    inspect = subprocess.run(
        [str(REPO / ".venv" / "bin" / "celery"), "-A", "pajr", "inspect", "active_queues", "--timeout", "5", "--json"],
        cwd=REPO,
        env=stack["env"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert inspect.returncode == 0, inspect.stderr
    consumed = {
        node.split("@")[0]: sorted(q["name"] for q in queues) for node, queues in json.loads(inspect.stdout).items()
    }
    assert consumed == {"emails": ["emails"], "default": ["default"]}

    # The logs: no token, no query string; the 7 MB upload never reached gunicorn.
    for process in processes.values():
        process.popen.poll()
        assert process.popen.returncode is None, f"{process.name} stopped:\n{process.log[-3000:]}"
    access = (tmp / "gunicorn-access.log").read_text()
    assert '"GET /conseil/ HTTP/1.0" 200' in access or '"GET /conseil/ HTTP/1.1" 200' in access, access
    assert '"GET /r/…/ HTTP/' in access, access
    assert access.count("POST /inscription/etape-3/") == 1, access
    nginx_access = (tmp / "pajr-access.log").read_text()
    assert '"POST /inscription/etape-3/ HTTP/1.1" 413' in nginx_access, nginx_access
    assert '"GET /r/\\xE2\\x80\\xA6/ HTTP/1.1" 302' in nginx_access, nginx_access  # "/r/…/", escaped by nginx
    for log in (access, nginx_access, processes["web"].log):
        assert token not in log
        assert SEARCHED not in log
        assert "vue=" not in log
        assert "?" not in log
