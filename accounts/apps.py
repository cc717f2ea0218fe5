"""Accounts: the people who sign in — their email, role and language — and the staff-only
access checks; the lowest domain app, serving every other."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes")

    def ready(self) -> None:
        from . import sessions  # noqa: F401  (connects user_logged_in)
