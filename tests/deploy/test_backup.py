"""``flask backup create`` of an instance while it writes, ``flask backup restore`` into a
fresh one: every row, article and image is there; tampering and mismatches are refused."""

import json
import os
import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from api.extensions import db
from api.notifications.models import Notification

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
def fresh_database_url(tmp_path, database_url):
    """An empty database of the suite's kind (nothing migrated)."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    server = sa.engine.make_url(database_url).set(database="postgres")
    name = f"civrestore_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _content(app) -> Path:
    content = Path(app.config["CONTENT_DIR"])
    (content / "news" / "jianjie").mkdir(parents=True)
    (content / "news" / "jianjie.md").write_text(
        "---\ntitle: 中心简介\ndate: 2026-01-05\n---\n正文", encoding="utf-8"
    )
    (content / "news" / "jianjie" / "photo.png").write_bytes(PNG)
    return content


def _rows(engine, table) -> set[tuple]:
    with engine.connect() as connection:
        return {
            tuple(
                json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value
                for value in row
            )
            for row in connection.execute(sa.select(table))
        }


def test_backup_while_writing_then_restore_into_a_fresh_instance(
    app, make_app, runner, create_user, create_activity, tmp_path, fresh_database_url
):
    people = [create_user() for _ in range(3)]
    create_activity()
    content = _content(app)
    stop = threading.Event()
    written = []

    def keep_writing():  # what the serving processes go on doing meanwhile
        with app.app_context():
            while not stop.is_set():
                db.session.add(Notification(user_id=people[0].id, kind="signup", title="报名成功"))
                db.session.commit()
                written.append(1)
            db.session.remove()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 5:
            stop.wait(0.01)
        before = len(written)
        created = runner.invoke(args=["backup", "create", str(tmp_path / "backup")])
    finally:
        stop.set()
        writer.join(timeout=30)
    assert created.exit_code == 0, created.output
    assert "manifest written" in created.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text(encoding="utf-8"))

    fresh = make_app(
        SQLALCHEMY_DATABASE_URI=fresh_database_url,
        CONTENT_DIR=tmp_path / "fresh" / "content",
        SITE_DIR=tmp_path / "fresh" / "site",
        SEARCH_INDEX_DIR=tmp_path / "fresh" / "index",
    )
    with fresh.app_context():  # the commands run in the current app's context
        restored = fresh.test_cli_runner().invoke(
            args=["backup", "restore", str(tmp_path / "backup")]
        )

        assert restored.exit_code == 0, restored.output
        assert "row counts match the manifest" in restored.output
        for table in db.metadata.sorted_tables:  # every row of the copy was in the original
            copy = _rows(db.engine, table)
            assert len(copy) == manifest["row_counts"][table.name]
            assert copy <= _rows(app.extensions["sqlalchemy"].engine, table), table.name
        assert manifest["row_counts"]["users"] == 3
        assert manifest["row_counts"]["activities"] == 1
        assert manifest["row_counts"]["notifications"] >= before
        fresh_content = Path(fresh.config["CONTENT_DIR"])
        assert (fresh_content / "news" / "jianjie" / "photo.png").read_bytes() == PNG
        assert (fresh_content / "news" / "jianjie.md").read_text(encoding="utf-8") == (
            content / "news" / "jianjie.md"
        ).read_text(encoding="utf-8")

        again = fresh.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path / "backup")])
        assert again.exit_code != 0 and "--force" in again.output
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_an_altered_file_and_another_migration_head(app, runner, tmp_path):
    _content(app)
    backup = tmp_path / "backup"
    assert runner.invoke(args=["backup", "create", str(backup)]).exit_code == 0
    manifest_path = backup / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))

    (backup / "content" / "news" / "jianjie" / "photo.png").write_bytes(PNG[:-1] + b"x")
    altered = runner.invoke(args=["backup", "restore", "--force", str(backup)])
    (backup / "content" / "news" / "jianjie" / "photo.png").write_bytes(PNG)
    manifest_path.write_text(json.dumps({**manifest, "migration_head": "elsewhere"}))
    other_head = runner.invoke(args=["backup", "restore", "--force", str(backup)])

    assert altered.exit_code != 0 and "checksum mismatch" in altered.output
    assert other_head.exit_code != 0 and "migration head elsewhere" in other_head.output
    assert os.path.isfile(app.config["CONTENT_DIR"] + "/news/jianjie/photo.png")
