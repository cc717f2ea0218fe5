"""Production reads each template from disk once per process: the engine's loaders are wrapped in
Django's cached loader (the default when TEMPLATES sets no "loaders"; a "loaders" option added to
the settings would silently drop it). Checked in a fresh process with production settings."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROBE = """
import json, django
django.setup()
from django.template import engines
engine = engines["django"].engine
print(json.dumps({
    "debug": engine.debug,
    "loaders": [type(loader).__module__ + "." + type(loader).__name__ for loader in engine.template_loaders],
}))
"""


def test_the_production_template_engine_uses_the_cached_loader(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pajr.settings",
        "DJANGO_READ_DOT_ENV": "0",
        "DEBUG": "false",
        "SECRET_KEY": "test-" + "x" * 50,
        "SITE_URL": "https://pajr.example.org",
        "ALLOWED_HOSTS": "pajr.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path / "var"),
        "EMAIL_URL": "smtp://127.0.0.1:1",
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, check=True
    ).stdout
    engine = json.loads(out.strip().splitlines()[-1])

    assert engine == {"debug": False, "loaders": ["django.template.loaders.cached.Loader"]}
