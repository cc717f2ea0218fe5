"""Statistics: the figures of the referral path for EER and PAJR coordinators and counsellors."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    """The coordinators' statistics. Named `stats`: `statistics` would shadow Python's module."""

    name = "stats"
    verbose_name = _("Statistiques")
