"""Backups of a running instance and their restore.

A backup is a directory:

    manifest.json        created_at (app clock), app version, migration head,
                         row counts per table, SHA-256 of every file below
    database.sqlite3     SQLite: the online backup API (a consistent copy while writers go on)
    database.dump        PostgreSQL: ``pg_dump -Fc`` of an exported snapshot, the one the
                         row counts were taken in, so counts and dump agree
    content/...          the article files and their images

Restore verifies every checksum, refuses another migration head and (without ``force``) a
database that already has rows, then loads the database, copies the files and checks the
row counts against the manifest.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app

from api.extensions import db
from api.timeutil import utcnow

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
CONTENT = "content"
Progress = Callable[[str], None]


class BackupError(RuntimeError):
    """A backup that cannot be made or restored (the message says why)."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq_url(engine: sa.Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tables() -> list[str]:
    return [table.name for table in db.metadata.sorted_tables]


def _count_rows(connection) -> dict[str, int]:
    return {
        name: connection.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one()
        for name in _tables()
    }


def _migration_head(connection) -> str | None:
    try:
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.DBAPIError:
        return None


def code_head() -> str:
    """The migration head of this code."""
    migrations = current_app.extensions["migrate"].directory
    config = current_app.extensions["migrate"].migrate.get_config(migrations)
    return ScriptDirectory.from_config(config).get_current_head()


def _dump_database(target: Path, progress: Progress) -> tuple[dict[str, int], str | None]:
    engine = db.engine
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(engine.url.database)
        copy = sqlite3.connect(target / SQLITE_FILE)
        try:
            source.backup(copy, pages=256)  # steps: writers of the live database go on
        finally:
            source.close()
        copy.close()
        progress("database copied (SQLite online backup)")
        copied = sa.create_engine(f"sqlite:///{target / SQLITE_FILE}")
        with copied.connect() as connection:
            counts, head = _count_rows(connection), _migration_head(connection)
        copied.dispose()
        return counts, head
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        with connection.begin():
            snapshot = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            counts, head = _count_rows(connection), _migration_head(connection)
            subprocess.run(
                [
                    "pg_dump",
                    "-Fc",
                    "--no-owner",
                    f"--snapshot={snapshot}",
                    "-f",
                    str(target / PG_FILE),
                    _libpq_url(engine),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
    progress("database dumped (pg_dump, one snapshot with the counts)")
    return counts, head


def create_backup(path: str | Path, progress: Progress = lambda message: None) -> dict:
    """Back up the database and ``CONTENT_DIR`` into the new directory ``path``.

    Raises BackupError if ``path`` exists and is not empty."""
    target = Path(path)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty")
    target.mkdir(parents=True, exist_ok=True)
    created_at = utcnow()
    counts, head = _dump_database(target, progress)
    content = Path(current_app.config["CONTENT_DIR"])
    if content.is_dir():
        shutil.copytree(content, target / CONTENT)
        progress(f"content copied ({sum(1 for f in content.rglob('*') if f.is_file())} files)")
    files = sorted(p for p in target.rglob("*") if p.is_file() and p.name != MANIFEST)
    manifest = {
        "created_at": created_at.isoformat(),
        "app_version": metadata.version("civpractice") if _installed() else "unknown",
        "database": db.engine.dialect.name,
        "migration_head": head,
        "row_counts": counts,
        "files": {str(p.relative_to(target)): _sha256(p) for p in files},
    }
    (target / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    progress(f"manifest written: {sum(counts.values())} rows, {len(files)} files")
    return manifest


def _installed() -> bool:
    try:
        metadata.version("civpractice")
        return True
    except metadata.PackageNotFoundError:
        return False


def read_verified_manifest(path: str | Path) -> dict:
    """The manifest of the backup at ``path``, every checksum verified.

    Raises BackupError on a missing, extra-less or altered file."""
    source = Path(path)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"no {MANIFEST} in {source}") from error
    for name, expected in manifest["files"].items():
        file = source / name
        if not file.is_file() or _sha256(file) != expected:
            raise BackupError(f"checksum mismatch: {name}")
    return manifest


def restore_backup(
    path: str | Path, *, force: bool = False, progress: Progress = lambda message: None
) -> dict:
    """Restore the backup at ``path`` into this instance's database and ``CONTENT_DIR``.

    Raises BackupError: altered files, another migration head than this code's, another
    database kind, rows already in the database (unless ``force``), counts that differ."""
    source = Path(path)
    manifest = read_verified_manifest(source)
    progress(f"checksums verified ({len(manifest['files'])} files)")
    if manifest["migration_head"] != code_head():
        raise BackupError(
            f"migration head {manifest['migration_head']} is not this code's {code_head()}"
        )
    engine = db.engine
    if manifest["database"] != engine.dialect.name:
        raise BackupError(f"a {manifest['database']} backup cannot go into {engine.dialect.name}")
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        present = [name for name in _tables() if inspector.has_table(name)]
        rows = sum(
            connection.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in present
        )
    if rows and not force:
        raise BackupError(f"the database holds {rows} rows: restore with --force to replace them")
    db.session.remove()
    if engine.dialect.name == "sqlite":
        engine.dispose()
        backup = sqlite3.connect(source / SQLITE_FILE)
        live = sqlite3.connect(engine.url.database)
        try:
            backup.backup(live)
        finally:
            backup.close()
            live.close()
    else:
        engine.dispose()
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "-d",
                _libpq_url(engine),
                str(source / PG_FILE),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    progress("database restored")
    content = Path(current_app.config["CONTENT_DIR"])
    if (source / CONTENT).is_dir():
        if content.exists():
            shutil.rmtree(content)
        shutil.copytree(source / CONTENT, content)
        progress("content restored")
    with engine.connect() as connection:
        counts = _count_rows(connection)
    if counts != manifest["row_counts"]:
        raise BackupError("row counts differ from the manifest after restore")
    progress(f"row counts match the manifest ({sum(counts.values())} rows)")
    return manifest
