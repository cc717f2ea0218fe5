import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """manage.py in a clean process with exactly these settings variables (no .env file)."""
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "VAR_DIR": str(ROOT / "var"), "DJANGO_READ_DOT_ENV": "0", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "SITE_URL": "https://pajr.example.org",
    "EMAIL_URL": "smtp+tls://user:password@smtp.example.org:587",
    "DATABASE_URL": "sqlite:////tmp/pajr-deploy-check.sqlite3",
}


def test_secret_key_is_required_when_debug_is_off():
    result = run_manage("check", **{**PRODUCTION, "SECRET_KEY": ""})

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_email_url_is_required_when_debug_is_off():
    result = run_manage("check", **{**PRODUCTION, "EMAIL_URL": ""})

    assert result.returncode != 0
    assert "EMAIL_URL must be set" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr


def test_every_page_has_a_content_security_policy_without_unsafe_inline(client):
    response = client.get(reverse("candidates:register"))

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    html = response.content.decode()
    assert "<script>" not in html  # no inline script
    assert " style=" not in html  # no inline style


def test_static_assets_are_served_from_the_site(client):
    html = client.get(reverse("candidates:home")).content.decode()

    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    # Only where the page loads or links from: a random CSRF token on the page may spell "cdn".
    addresses = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert addresses and not [address for address in addresses if "cdn" in address.lower()]


def test_logout_is_post_only(client, counsellor):
    client.force_login(counsellor)

    client.get(reverse("account_logout"))
    assert client.get(reverse("counselling:queue")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("counselling:queue")).status_code == 302


def test_counsellor_signs_in_with_email_password_and_second_factor(client, counsellor):
    from tests.factories import PASSWORD, totp_code

    response = client.post(reverse("account_login"), {"login": counsellor.email.upper(), "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})

    assert response.status_code == 302
    assert client.get(reverse("counselling:queue")).status_code == 200
