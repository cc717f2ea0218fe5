"""Territories: Québec's regions, MRCs, the PAJ territories and their agents, the settlement
programs and the public directory; for everyone choosing a region, and for coordinators."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    name = "territories"
    verbose_name = _("Territoires")

    def ready(self) -> None:
        from accounts.signals import account_changed

        from .receivers import agent_follow_account

        account_changed.connect(agent_follow_account, dispatch_uid="territories.agent_follow_account")
