from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate


class PersonFile(Candidate):
    """A person's file as the privacy officer handles it in the admin: access requests and
    anonymization (privacy.files_admin). No table of its own."""

    class Meta:
        proxy = True
        verbose_name = _("dossier d'une personne (demandes d'accès, anonymisation)")
        verbose_name_plural = _("dossiers des personnes (demandes d'accès, anonymisation)")
        default_permissions = ()
