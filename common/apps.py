"""Shared helpers at the bottom of the layers, for every app and no audience of their own: text
cleaning, safe CSV/XLSX exports, admin pagination of big tables, the private file storage, small
HTTP helpers and the site's absolute URLs. `common` imports no app of the project."""

from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from . import postgresql
        from .catalogues import flatten_catalogues

        ensure_embedded_folders()
        flatten_catalogues()
        postgresql.connect()  # timestamptz read by psycopg's own loader (common/postgresql.py)


def ensure_embedded_folders() -> None:
    """The folders the embedded defaults write to (the SQLite file's, the filesystem broker's) and
    the static files' one, made when Django starts rather than when the settings are imported."""
    folders = [Path(settings.STATIC_ROOT)]  # WhiteNoise looks there at start (collectstatic fills it)
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folders += [Path(str(database["NAME"])).parent, Path(str(database.get("TEST", {}).get("NAME") or "x")).parent]
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    folders += [Path(options[key]) for key in ("data_folder_in", "data_folder_out", "control_folder") if key in options]
    for folder in folders:
        if str(folder) not in ("", "."):
            folder.mkdir(parents=True, exist_ok=True)
