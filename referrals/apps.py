"""Referrals: the counsellor's referral of a candidate to a PAJ territory, its state machine and
links, and the PAJ agent's space (answer, follow-up, sending a person to EER); serves PAJ agents
and, through the counselling pages, EER counsellors."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = _("Orientations")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the candidates app's signals)
