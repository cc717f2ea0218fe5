"""Counselling: the EER counsellors' pages — the queue and its tabs, the file page with notes,
maturity and referrals, reassigning, pausing, closing and merging files — built on the candidates
and referrals apps, which own the data; it has no models of its own."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounsellingConfig(AppConfig):
    name = "counselling"
    verbose_name = _("Conseil EER")
