"""Territories: Québec's regions, MRCs, the PAJ territories and their agents, the settlement
programs and the public directory; for everyone choosing a region, and for coordinators."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    name = "territories"
    verbose_name = _("Territoires")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from accounts.signals import account_changed

        from .models import AdminUnit, Agent, Region, SettlementProgram, Territory
        from .receivers import agent_follow_account, forget_kept

        account_changed.connect(agent_follow_account, dispatch_uid="territories.agent_follow_account")
        for model in (Region, AdminUnit, Territory, SettlementProgram, Agent):
            post_save.connect(forget_kept, sender=model, dispatch_uid=f"territories.kept-{model.__name__}")
            post_delete.connect(forget_kept, sender=model, dispatch_uid=f"territories.kept-del-{model.__name__}")
        for through in (
            Territory.units.through,
            SettlementProgram.regions.through,
            SettlementProgram.territories.through,
            Agent.territories.through,
        ):
            m2m_changed.connect(forget_kept, sender=through, dispatch_uid=f"territories.kept-{through.__name__}")
