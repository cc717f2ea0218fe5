"""Activities: the séjours exploratoires, welcome events, information sessions and visits the PAJ
agents run in their territories, the public calendar and its iCalendar feeds, and the candidates'
registrations (with a waiting list) and attendance; for the public, candidates and PAJ agents."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activités")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the candidates app's file_anonymizing)
