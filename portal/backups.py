"""Consistent copies of the database and the uploaded files, and bringing them back.

PostgreSQL is copied with pg_dump (a consistent snapshot while the portal runs) and brought
back with pg_restore; SQLite with its online backup API. Media files go in a tar archive:
the folder MEDIA_ROOT, or every object of the bucket (MEDIA_STORAGE=s3) read through the
storage, under the same names, so a backup of either kind restores into either kind.
"""

import json
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.db import connection
from django.utils import timezone

DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


def _pg_command(program: str) -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    command = [program, "--no-owner"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [flag, str(db[key])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return command, env


def backup(directory: Path) -> Path:
    """Write `portal-<timestamp>/` with the database, the media files and a manifest."""
    target = Path(directory) / f"portal-{timezone.localtime():%Y%m%d-%H%M%S}"
    target.mkdir(parents=True)
    vendor = connection.vendor
    dump = target / DUMP_NAMES[vendor]
    if vendor == "postgresql":
        command, env = _pg_command("pg_dump")
        name = connection.settings_dict["NAME"]
        # The arguments come from the settings, never from a request.
        subprocess.run(  # noqa: S603
            [*command, "--format=custom", f"--file={dump}", name], env=env, check=True
        )
    else:
        connection.ensure_connection()
        with sqlite3.connect(dump) as copy:
            connection.connection.backup(copy)
    with tarfile.open(target / "media.tar.gz", "w:gz") as archive:
        if _media_in_folder():
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                archive.add(media, arcname="media")
        else:
            _archive_objects(archive)
    manifest = {"created": timezone.now().isoformat(), "vendor": vendor}
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return target


def restore(source: Path) -> None:
    """Replace the database and the media files with those of a backup."""
    source = Path(source)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    vendor = connection.vendor
    if manifest["vendor"] != vendor:
        raise ValueError(f"this backup is of a {manifest['vendor']} database, not {vendor}")
    dump = source / DUMP_NAMES[vendor]
    if vendor == "postgresql":
        name = connection.settings_dict["NAME"]
        connection.close()
        command, env = _pg_command("pg_restore")
        # The arguments come from the settings and the operator's command line.
        subprocess.run(  # noqa: S603
            [
                *command,
                "--clean",
                "--if-exists",
                "--single-transaction",
                f"--dbname={name}",
                str(dump),
            ],
            env=env,
            check=True,
        )
    else:
        connection.ensure_connection()
        with sqlite3.connect(dump) as copy:
            copy.backup(connection.connection)
    if _media_in_folder():
        _restore_folder(source)
    else:
        with tarfile.open(source / "media.tar.gz", "r:gz") as archive:
            _restore_objects(archive)
    after_restore()


def _media_in_folder() -> bool:
    return isinstance(storages["default"], FileSystemStorage)


def _restore_folder(source: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.rmtree(media)
    with tarfile.open(source / "media.tar.gz", "r:gz") as archive:
        archive.extractall(media.parent / "_restore_tmp", filter="data")
    extracted = media.parent / "_restore_tmp" / "media"
    if extracted.exists():
        shutil.move(extracted, media)
    shutil.rmtree(media.parent / "_restore_tmp", ignore_errors=True)


def _stored_names(folder: str = ""):
    """Every file in the media storage (for a bucket: every object under AWS_LOCATION)."""
    folders, files = default_storage.listdir(folder)
    for name in files:
        yield posixpath.join(folder, name)
    for sub in folders:
        yield from _stored_names(posixpath.join(folder, sub))


def _archive_objects(archive: tarfile.TarFile) -> None:
    for name in _stored_names():
        with default_storage.open(name, "rb") as handle:
            info = tarfile.TarInfo(f"media/{name}")
            info.size = handle.size
            archive.addfile(info, handle)


def _restore_objects(archive: tarfile.TarFile) -> None:
    """Write back every file of the backup, then delete the objects it did not have (first
    writing, then deleting: a restore that stops half-way has lost nothing)."""
    restored = set()
    for member in archive:
        if not member.isfile() or not member.name.startswith("media/"):
            continue
        name = member.name.removeprefix("media/")
        if name.startswith("/") or ".." in name.split("/"):
            continue
        # Generated names are never overwritten by uploads; a restore does overwrite them.
        if default_storage.exists(name):
            default_storage.delete(name)
        default_storage.save(name, File(archive.extractfile(member), name=name))
        restored.add(name)
    for name in list(_stored_names()):
        if name not in restored:
            default_storage.delete(name)


def after_restore() -> None:
    """Figures cached from the replaced data would be shown as if current: drop every cache.
    A restored PostgreSQL database has no planner statistics (pg_restore does not bring them):
    without ANALYZE its first queries choose poor plans (an area page took 5.9 s instead of
    0.45 s)."""
    for cache in caches.all(initialized_only=False):
        cache.clear()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
