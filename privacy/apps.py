"""The privacy office (Québec's Law 25): retention and the nightly purge, the public privacy
page, the officers' tools in the admin (incident register, access requests, anonymization)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Protection des renseignements personnels")
