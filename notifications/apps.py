"""Notifications: the email outbox every app writes to and the Celery worker sends from, for
everyone who receives an email; it imports no domain app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Courriels")
