"""My file ("Mon dossier"): the candidate's own pages — where their file stands, their details and
consents, the export and deletion of their data, and the CV download — for the candidate."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MyFileConfig(AppConfig):
    name = "my_file"
    verbose_name = _("Mon dossier")
