from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevtoolsConfig(AppConfig):
    """Tooling for the developers of the platform: the bench, the demo data, the development mailbox,
    and the Celery worker + SMTP rig shared by the bench and the tests."""

    name = "devtools"
    verbose_name = _("Outils de développement")
