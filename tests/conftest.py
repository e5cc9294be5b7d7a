"""Fixtures shared by the whole suite.

The suite runs on SQLite by default and on PostgreSQL when ``TEST_DATABASE_URL`` names a
server (``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``): each test session (and
each xdist worker) gets a fresh database migrated with Alembic, and every test starts from
empty tables.
"""

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from api import create_app
from api.accounts.models import User
from api.accounts.services import grant_role, hash_password
from api.auth.tokens import issue_token
from api.extensions import db
from api.searching.index import close_search_indexes
from api.timeutil import freeze_clock
from api.units.models import Unit
from api.wechat.stub import WeChatStubServer

# The session's one Chromium (Playwright's sync API allows one per process).
pytest_plugins = ["tests.browser"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = Path(os.environ.get("CORPUS_DIR", PROJECT_ROOT / "corpus"))


def _is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A fresh, empty database for this test session."""
    server_url = os.environ.get("TEST_DATABASE_URL", "")
    if not _is_postgres(server_url):
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    name = f"civtest_{uuid.uuid4().hex[:10]}"
    admin_engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    with admin_engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


@pytest.fixture(scope="session")
def wechat_stub():
    """The bundled WeChat stub, served over real HTTP on a free port."""
    server = WeChatStubServer(port=0, slow_seconds=3)
    server.start_in_thread()
    yield server
    server.shutdown()
    server.server_close()


def make_test_config(database_url: str, tmp_path: Path, wechat_base: str, **overrides) -> dict:
    """Configuration of a test app; tests override single settings through ``overrides``."""
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "DATA_KEY": "test-data-key-0123456789abcdef-0123456789",
        "WECHAT_API_BASE": wechat_base,
        "WECHAT_TIMEOUT": 1.5,
        "RATELIMIT_ENABLED": False,
        "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "SITE_DIR": str(tmp_path / "site"),
        "CONTENT_DIR": str(tmp_path / "content"),
        "CORPUS_DIR": str(CORPUS_DIR),
        "TASK_QUEUE": "memory",  # tasks are queued, never run; tests call them directly
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def _migrated_database(database_url, tmp_path_factory, wechat_stub):
    app = create_app(make_test_config(database_url, tmp_path_factory.mktemp("boot"),
                                      wechat_stub.base_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def _empty_all_tables() -> None:
    # DELETE, not TRUNCATE: a test leaves few rows, and TRUNCATE makes new files for every
    # table and index (up to a second per test on a busy PostgreSQL server).
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        # What RESTART IDENTITY did: ids start again at 1, as they do on SQLite.
        db.session.execute(sa.text(
            "SELECT setval(s.seqrelid::regclass, s.seqstart, false) FROM pg_sequence s"
            " JOIN pg_class c ON c.oid = s.seqrelid"
            " WHERE c.relnamespace = current_schema()::regnamespace"))
    db.session.commit()


@pytest.fixture
def frozen_clock():
    """Pin the application clock; call it with an aware datetime: ``frozen_clock(moment)``.

    The clock follows the system again after the test."""
    yield freeze_clock
    freeze_clock(None)


@pytest.fixture
def app_config(_migrated_database, tmp_path, wechat_stub):
    """The test app's configuration; a test may change it before using ``app``."""
    return make_test_config(_migrated_database, tmp_path, wechat_stub.base_url)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    with app.app_context():
        yield app
        close_search_indexes()
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared test corpus (``CORPUS_DIR``, default ``../shared/corpus``)."""
    return CORPUS_DIR


@pytest.fixture
def corpus_units(app):
    """The corpus's units and teams, imported; returns ``{code: Unit}``."""
    from api.corpus.organisation import import_teams, import_units

    import_units(CORPUS_DIR / "units.csv")
    import_teams(CORPUS_DIR / "teams.csv")
    return {unit.code: unit for unit in db.session.scalars(sa.select(Unit))}


@pytest.fixture
def create_user(app):
    """Factory: ``create_user(username=..., roles=[("unit_admin", "LY-JL")])``."""
    counter = iter(range(1, 1_000_000))

    def create(username: str | None = None, *, roles: list[tuple[str, str | None]] = (),
               password: str | None = None, openid: str | None = None) -> User:
        number = next(counter)
        user = User(
            username=username,
            openid=openid or (None if username else f"test-openid-{uuid.uuid4().hex[:12]}"),
            nickname=username or f"居民{number}",
            password_hash=hash_password(password) if password else None,
        )
        db.session.add(user)
        db.session.flush()
        for role, unit_code in roles:
            unit = None
            if unit_code:
                unit = db.session.scalar(sa.select(Unit).where(Unit.code == unit_code))
                if unit is None:  # a role on no unit would silently cover the whole county
                    raise LookupError(f"unit {unit_code} not loaded: request corpus_units first")
            grant_role(None, user, role, unit)
        db.session.commit()
        return user

    return create


@pytest.fixture
def auth_headers(app):
    """Factory: the ``Authorization`` header of a signed-in user."""

    def headers(user: User) -> dict:
        token, _ = issue_token(user)
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def create_activity(app, corpus_units):
    """Factory: a published activity tomorrow at the 巨陵镇 institute, with overrides."""
    from datetime import timedelta

    from api.activities.models import Activity
    from api.timeutil import utcnow

    def create(**overrides) -> Activity:
        starts_at = overrides.pop("starts_at", utcnow().replace(microsecond=0)
                                  + timedelta(days=1))
        values = {
            "title": "义诊进乡村",
            "description": "免费测量血压、血糖",
            "theme": "health",
            "category": "医疗健身",
            "unit_id": corpus_units["LY-JL"].id,
            "address": "临颍县巨陵镇综合文化站",
            "lat": 33.7712,
            "lng": 113.9891,
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=2),
            "capacity": 20,
            "status": "published",
            "audience": "public",
        }
        values.update(overrides)
        activity = Activity(**values)
        db.session.add(activity)
        db.session.commit()
        return activity

    return create


@pytest.fixture
def live_server(app):
    """The test app behind a real threaded HTTP server on a free port; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def count_queries(app):
    """Count the SQL statements a block runs: ``with count_queries() as counted: ...``,
    then ``counted.n``. Lists assert that their count does not grow with their length."""
    from contextlib import contextmanager

    from sqlalchemy import event

    class Counted:
        n = 0

    @contextmanager
    def counting():
        counted = Counted()

        def count(*_args, **_kwargs):
            counted.n += 1

        engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            yield counted
        finally:
            event.remove(engine, "before_cursor_execute", count)

    return counting
