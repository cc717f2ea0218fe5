"""allauth's adapter: where each role lands after signing in, and allauth's own emails through the
outbox. In the candidates app because sign-up is the first step of a candidate's registration."""

import uuid
from types import SimpleNamespace
from urllib.parse import quote, urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from common.urls import absolute_url
from notifications.models import RENDERED
from notifications.services import outbox_enqueue

from .choices import CandidateStatus
from .registration import registration_url


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        """RFC 5321's limits, which Django's validator leaves to the database (where PostgreSQL
        would fail with a 500 and SQLite would store it)."""
        email = super().clean_email(email)
        local = email.rpartition("@")[0]
        if len(email) > 254 or len(local) > 64:
            raise forms.ValidationError(_("Cette adresse courriel est trop longue."), code="too_long")
        return email

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        # After step 1 and the email code, the registration goes on with step 2.
        return reverse("candidates:registration_step", args=[2])

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = request.user
        if user.is_counsellor:
            return reverse("counselling:queue")
        if user.role == user.Role.AGENT:
            return reverse("referrals:agent_home")
        if candidate := getattr(user, "candidate", None):
            if candidate.status == CandidateStatus.DRAFT:
                return registration_url(candidate)  # back where the registration stopped
            return reverse("my_file:home")
        return super().get_login_redirect_url(request)

    # Links in emails are built from SITE_URL, never from the request's Host header.
    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return settings.SITE_URL + path.replace("UID-KEY", quote(key))

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation) -> str:
        return absolute_url("account_confirm_email", emailconfirmation.key)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render now, in the account's language (chosen on "Mon compte"), else the visitor's; put
        in the outbox, sent by the worker after commit. allauth writes text only: the HTML part is
        that text in the platform's email (emails/base.html), with the privacy link."""
        user = context.get("user")
        language = getattr(user, "language", "") or translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(language):
            self._send_mail(template_prefix, email, context, language=language)

    def _send_mail(self, template_prefix: str, email: str, context: dict, *, language: str) -> None:
        context = {
            "email": email,
            **context,
            "current_site": SimpleNamespace(name=_("Place aux jeunes – Emplois en régions"), domain=settings.SITE_URL),
        }
        for key, value in context.items():
            if key.endswith("_url") and isinstance(value, str):
                # allauth builds some links from the request; keep the path, take the host from SITE_URL.
                parts = urlsplit(value)
                context[key] = settings.SITE_URL + urlunsplit(("", "", parts.path, parts.query, ""))
        if "signup_url" in context:
            context["signup_url"] = absolute_url("candidates:register")
        message = self.render_mail(template_prefix, email, context)
        html = next((body for body, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
        if not html:
            # The text before account/email/base_message.txt's signature ("--").
            text = message.body.rpartition("\n--\n")[0] or message.body
            html = render_to_string(
                "emails/allauth_message.html",
                {"subject": message.subject, "text": text.strip(), "site_url": settings.SITE_URL},
            )
        for to in message.to:
            outbox_enqueue(
                to=to,
                language=language,
                template=RENDERED,
                key=f"allauth/{template_prefix}:{uuid.uuid4().hex}",
                subject=message.subject,
                body=message.body,
                html=html,
            )
