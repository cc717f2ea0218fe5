"""Candidates: a person's file — registration, profile, consents, status and its history, the
counsellor's notes and maturity assessment — the domain the counselling and my-file pages show;
its public pages serve people who register."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = _("Candidat·e·s")
