"""Counselling: the EER counsellors' pages — the queue and its tabs, the file page with notes,
maturity and referrals, reassigning, pausing, closing and merging files — built on the candidates
and referrals apps, which own the data; it has no models of its own."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounsellingConfig(AppConfig):
    name = "counselling"
    verbose_name = _("Conseil EER")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from accounts.models import User
        from territories.models import Region, Territory

        from .filter_options import forget_filter_options, forget_on_staff_change

        for model in (Region, Territory):
            post_save.connect(forget_filter_options, sender=model, dispatch_uid=f"queue-options-{model.__name__}")
            post_delete.connect(forget_filter_options, sender=model, dispatch_uid=f"queue-options-del-{model.__name__}")
        post_save.connect(forget_on_staff_change, sender=User, dispatch_uid="queue-options-staff")
