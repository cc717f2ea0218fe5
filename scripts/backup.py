#!/usr/bin/env python
"""Backups that restore: the database and the CV storage, in one timestamped folder.

    python scripts/backup.py backup [--into var/backups]      (make backup)
    python scripts/backup.py restore FOLDER [--wet-run]        (make restore BACKUP=FOLDER)

The settings say where things are (DATABASE_URL, STORAGE_S3_* or MEDIA_ROOT), as for the web
server: run it on a host with the same environment. A backup folder holds
- database.dump: `pg_dump --format=custom` (PostgreSQL), or database.sqlite3 (the embedded default);
- files/: every file of the "private" storage (CVs), local folder or S3 bucket alike;
- manifest.json: when, which engine, each file's size and SHA-256 (no names of people: the CVs'
  storage names are random).
The database is dumped first, then the files: a CV added in between is kept as an orphan file; a
CV deleted in between (anonymization) is missing from the copy, as it should be.

Restore replaces the database (`pg_restore --clean --if-exists`, in one transaction) and writes
each file back under its name; files the backup does not hold are left and counted. Without
--wet-run it says what it would do. Stop the web servers and workers first."""

import argparse
import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pajr.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files import File  # noqa: E402
from django.db import connections  # noqa: E402

from common.storage import private_storage  # noqa: E402


def storage_names(folder: str = "") -> list[str]:
    """Every file of the private storage, by its storage name."""
    try:
        folders, files = private_storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        names += storage_names(f"{folder}/{sub}" if folder else sub)
    return sorted(names)


def pg_env(db: dict) -> tuple[list[str], dict]:
    args = ["--host", db["HOST"] or "localhost", "--port", str(db["PORT"] or 5432), "--username", db["USER"] or ""]
    env = {**os.environ, **({"PGPASSWORD": db["PASSWORD"]} if db["PASSWORD"] else {})}
    return args, env


def tool(name: str) -> str:
    """pg_dump and pg_restore, from postgresql-client (of the server's major version or newer)."""
    if path := shutil.which(name):
        return path
    raise SystemExit(f"{name} is missing: install postgresql-client")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup(into: Path) -> Path:
    folder = into / datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder.mkdir(parents=True, mode=0o700)
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        args, env = pg_env(db)
        dump = folder / "database.dump"
        subprocess.run(  # noqa: S603 - pg_dump with the settings' own parameters
            [tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", *args,
             "--file", str(dump), db["NAME"]],
            env=env, check=True,
        )  # fmt: skip
    elif db["ENGINE"] == "django.db.backends.sqlite3":
        dump = folder / "database.sqlite3"
        source, target = sqlite3.connect(db["NAME"]), sqlite3.connect(dump)
        with target:
            source.backup(target)
        source.close()
        target.close()
    else:
        raise SystemExit(f"No backup for {db['ENGINE']}")
    files = {}
    for name in storage_names():
        path = folder / "files" / name
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with private_storage.open(name, "rb") as stored, path.open("wb") as copy:
            shutil.copyfileobj(stored, copy)
        files[name] = {"bytes": path.stat().st_size, "sha256": sha256(path)}
    manifest = {
        "created": datetime.datetime.now(datetime.UTC).isoformat(),
        "engine": db["ENGINE"],
        "database": dump.name,
        "database_sha256": sha256(dump),
        "storage": settings.STORAGES["private"]["BACKEND"],
        "files": files,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    print(f"backup: {folder} (database {dump.stat().st_size} bytes, {len(files)} files)")
    return folder


def restore(folder: Path, *, wet_run: bool) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    dump = folder / manifest["database"]
    if sha256(dump) != manifest["database_sha256"]:
        raise SystemExit(f"{dump} does not match its manifest: not restored")
    db = settings.DATABASES["default"]
    if manifest["engine"] != db["ENGINE"]:
        raise SystemExit(f"The backup is of {manifest['engine']}, the settings say {db['ENGINE']}")
    extra = set(storage_names()) - set(manifest["files"])
    print(f"restore: {folder} → database {db['NAME']}, {len(manifest['files'])} files; {len(extra)} other files left")
    if not wet_run:
        print("Dry run: nothing changed. Add --wet-run to restore.")
        return
    connections.close_all()
    if db["ENGINE"] == "django.db.backends.postgresql":
        args, env = pg_env(db)
        subprocess.run(  # noqa: S603 - pg_restore with the settings' own parameters
            [tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
             "--exit-on-error", *args, "--dbname", db["NAME"], str(dump)],
            env=env, check=True,
        )  # fmt: skip
    else:
        source, target = sqlite3.connect(dump), sqlite3.connect(db["NAME"])
        with target:
            source.backup(target)
        source.close()
        target.close()
    for name, expected in manifest["files"].items():
        path = folder / "files" / name
        if sha256(path) != expected["sha256"]:
            raise SystemExit(f"{path} does not match its manifest")
        if private_storage.exists(name):
            private_storage.delete(name)
        with path.open("rb") as stream:
            saved = private_storage.save(name, File(stream, name=name))
        if saved != name:
            raise SystemExit(f"{name} was stored as {saved}")
    print(f"restored: database and {len(manifest['files'])} files")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup")
    make.add_argument("--into", type=Path, default=Path(settings.VAR_DIR) / "backups")
    back = commands.add_parser("restore")
    back.add_argument("folder", type=Path)
    back.add_argument("--wet-run", action="store_true")
    options = parser.parse_args()
    if options.command == "backup":
        backup(options.into)
    else:
        restore(options.folder, wet_run=options.wet_run)


if __name__ == "__main__":
    main()
