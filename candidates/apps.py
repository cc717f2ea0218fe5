"""Candidates: a person's file — registration, profile, consents, status and its history, the
counsellor's notes and maturity assessment — the domain the counselling and my-file pages show;
its public pages serve people who register."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = _("Candidat·e·s")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from accounts.signals import account_changed

        from .models import Candidate
        from .receivers import delete_cv_with_file, follow_account

        post_delete.connect(delete_cv_with_file, sender=Candidate, dispatch_uid="candidates.delete_cv_with_file")
        account_changed.connect(follow_account, dispatch_uid="candidates.follow_account")
