"""A counsellor adds a passkey and signs in with it, in Chromium, through DevTools' virtual
authenticator (the WebAuthn domain): no second factor is faked on the server's side."""

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, CounsellorFactory

pytestmark = pytest.mark.browser


def virtual_authenticator(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_a_counsellor_adds_a_passkey_and_signs_in_with_it(new_page, settings):
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server is http://localhost
    counsellor = CounsellorFactory(first_name="Léa", last_name="Côté")
    page = new_page()
    virtual_authenticator(page)
    page.goto("/comptes/login/")
    sign_in(page, counsellor.email, PASSWORD)  # the password and the authenticator app's code
    expect(page).to_have_url(re.compile(r"/conseil/$"))

    # Adding a key asks for the password again, then the browser creates the credential.
    page.goto("/comptes/2fa/webauthn/add/")
    if page.locator("#id_password").count():
        page.locator("#id_password").fill(PASSWORD)
        page.locator("#id_password").press("Enter")
    expect(page.locator("#mfa_webauthn_add")).to_be_visible()
    page.locator("#id_name").fill("Portable de Léa")
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    assert Authenticator.objects.filter(user=counsellor, type=Authenticator.Type.WEBAUTHN).exists()

    # Signed out, she signs in with her password and the passkey instead of a code.
    page.context.clear_cookies()
    page.goto("/comptes/login/")
    page.locator("#id_login").fill(counsellor.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form[action*='/comptes/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/comptes/2fa/authenticate/"))
    page.locator("#mfa_webauthn_authenticate").click()
    expect(page).to_have_url(re.compile(r"/conseil/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
