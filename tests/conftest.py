"""Fixtures shared by the whole suite.

The suite runs on SQLite by default and on PostgreSQL when ``TEST_DATABASE_URL`` names a
server (``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``): each test session (and
each xdist worker) gets a fresh database migrated with Alembic, and every test starts from
empty tables.
"""

import copy
import os
import time
import uuid
from collections import OrderedDict
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, has_request_context, request
from flask_migrate import upgrade

from api import create_app
from api import timeutil as api_timeutil
from api.accounts.models import User
from api.accounts.services import grant_role, hash_password
from api.auth.tokens import issue_token
from api.extensions import db, limiter
from api.searching.index import close_search_indexes
from api.tasks.queue import task_queue
from api.timeutil import freeze_clock
from api.units.models import Unit
from api.wechat.stub import WeChatStubServer

# The session's one Chromium (Playwright's sync API allows one per process) and the
# JSON snapshots (tests/snapshots/, updated with --snapshot-update).
pytest_plugins = ["tests.browser", "tests.snapshot"]

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
    """Configuration of a test app; ``overrides`` change single settings."""
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "DATA_KEY": "test-data-key-0123456789abcdef-0123456789",
        "WECHAT_API_BASE": wechat_base,
        "WECHAT_TIMEOUT": 1.5,
        "RATELIMIT_ENABLED": False,
        **_test_dirs(tmp_path),
        "CORPUS_DIR": str(CORPUS_DIR),
        "TASK_QUEUE": "memory",  # tasks are queued, never run; tests call them directly
    }
    config.update(overrides)
    return config


def _test_dirs(tmp_path: Path) -> dict:
    """The directories an app writes to, under ``tmp_path`` (one set per test)."""
    return {
        "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "SITE_DIR": str(tmp_path / "site"),
        "CONTENT_DIR": str(tmp_path / "content"),
    }


@pytest.fixture(scope="session")
def _migrated_database(database_url, tmp_path_factory, wechat_stub):
    app = create_app(
        make_test_config(database_url, tmp_path_factory.mktemp("boot"), wechat_stub.base_url)
    )
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
        db.session.execute(
            sa.text(
                "SELECT setval(s.seqrelid::regclass, s.seqstart, false) FROM pg_sequence s"
                " JOIN pg_class c ON c.oid = s.seqrelid"
                " WHERE c.relnamespace = current_schema()::regnamespace"
            )
        )
    db.session.commit()


class _Clock:
    """The test's clocks: call it to pin the application clock (``clock(moment)``, an aware
    datetime; ``clock(None)`` lets it follow the system), ``shift(seconds)`` to move time
    forward for the signed tokens (itsdangerous) and for the app clock when pinned."""

    def __init__(self, monkeypatch) -> None:
        self._monkeypatch = monkeypatch
        self._offset = 0.0

    def __call__(self, moment) -> None:
        freeze_clock(moment)

    def time(self) -> float:
        """The token clock: the system's, moved by every ``shift`` so far."""
        return time.time() + self._offset

    def shift(self, seconds: float) -> None:
        """Move forward only: bearer tokens are checked against the same clock."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        if not self._offset:
            self._monkeypatch.setattr("itsdangerous.timed.time", self)
        self._offset += seconds
        if api_timeutil._frozen_now is not None:
            freeze_clock(api_timeutil._frozen_now + timedelta(seconds=seconds))


@pytest.fixture
def frozen_clock(monkeypatch):
    """The test's clock (see ``_Clock``): ``frozen_clock(moment)`` pins the application
    clock, ``frozen_clock.shift(61)`` moves time forward. Everything follows the system
    again after the test."""
    yield _Clock(monkeypatch)
    freeze_clock(None)


@pytest.fixture(autouse=True)
def stub(wechat_stub):
    """The session's WeChat stub, with no tokens, records or switched failures in any test."""
    wechat_stub.reset()
    yield wechat_stub
    wechat_stub.reset()


class _ReadOnlySettings(dict):
    """A test app's settings, to read or to pass on; changing them changes no app."""

    def _refuse(self, *_args, **_kwargs):
        raise TypeError(
            "app_config is read-only: build the app with make_app(**overrides) "
            "or override the app_settings fixture"
        )

    __setitem__ = __delitem__ = update = setdefault = pop = popitem = clear = _refuse


# Settings read anew on each use, one directory per test: not part of an app's identity.
_PER_TEST = ("SEARCH_INDEX_DIR", "SITE_DIR", "CONTENT_DIR")


class _AppPool:
    """The apps of this worker, one per set of settings: building one (flask-smorest's
    OpenAPI document above all) costs a quarter of a second, so tests share them, reset in
    between. The shared app (no overrides) stays; a few others are kept, least recently used
    dropped."""

    KEEP = 6

    def __init__(self, database_url: str, wechat_base: str, boot_dir: Path) -> None:
        self.database_url, self.wechat_base, self.boot_dir = database_url, wechat_base, boot_dir
        self.apps: OrderedDict[str, tuple[Flask, dict]] = OrderedDict()

    def build(self, settings: dict) -> tuple[Flask, dict]:
        """A new app with ``settings`` and its pristine configuration."""
        app = create_app(
            make_test_config(self.database_url, self.boot_dir, self.wechat_base, **settings)
        )
        return app, {
            "config": copy.deepcopy(dict(app.config)),
            "extensions": set(app.extensions),
            "huey_immediate": task_queue.huey(app).immediate,
        }

    def get(self, settings: dict) -> tuple[Flask, dict]:
        """The kept app with ``settings`` (besides the per-test directories) and its
        pristine configuration."""
        key = repr(sorted(settings.items()))
        if key not in self.apps:
            self.apps[key] = self.build(settings)
            others = [name for name in self.apps if name != repr([])]
            while len(others) > self.KEEP:
                self._drop(others.pop(0))
        self.apps.move_to_end(key)
        return self.apps[key]

    def _drop(self, key: str) -> None:
        app, _ = self.apps.pop(key)
        with app.app_context():
            db.engine.dispose()

    def close(self) -> None:
        for key in list(self.apps):
            self._drop(key)


@pytest.fixture(scope="session")
def _app_pool(_migrated_database, wechat_stub, tmp_path_factory):
    pool = _AppPool(_migrated_database, wechat_stub.base_url, tmp_path_factory.mktemp("apps"))
    yield pool
    pool.close()


class _TestApps:
    """The apps one test uses: each entered once (configuration as built, per-test
    directories, empty caches, fresh rate limits, its app context pushed); at the end every
    context is closed and the tables emptied."""

    def __init__(self, pool: _AppPool, tmp_path: Path) -> None:
        self.pool, self.tmp_path = pool, tmp_path
        self.entered: dict[int, Flask] = {}
        self.contexts = []
        self.latest: Flask | None = None

    def make(self, settings: dict, own: bool) -> Flask:
        given = {key: str(settings.pop(key)) for key in _PER_TEST if key in settings}
        app, pristine = self.pool.build(settings) if own else self.pool.get(settings)
        if id(app) not in self.entered:
            _restore(app, pristine)
            app.config.update(_test_dirs(self.tmp_path))
            self.entered[id(app)] = app
            context = app.app_context()
            context.push()
            self.contexts.append(context)
        app.config.update(given)
        if app is not self.latest:
            limiter.init_app(app)  # the limiter is one object: it follows the app in use
        self.latest = app
        return app

    def close(self) -> None:
        if not self.contexts:
            freeze_clock(None)
            return
        shared, _ = self.pool.get({})
        for context in reversed(self.contexts):
            close_search_indexes()
            context.app.extensions.pop("search_indexes", None)
            db.session.rollback()
            db.session.remove()
            if context.app is not shared:
                db.engine.dispose()  # another app's pool must not hold connections
            context.pop()
        with shared.app_context():
            _empty_all_tables()
            db.session.remove()
            for engine in db.engines.values():
                # A new pool when a thread kept a connection (the next tests need them all),
                # and always on SQLite: its connections must not outlive the test that opened
                # them (worker processes of a test write the same file in WAL mode).
                if engine.dialect.name == "sqlite" or getattr(engine.pool, "checkedout", int)():
                    engine.dispose()
        freeze_clock(None)


# What an app computes once from the files on disk (the static files' version): kept.
_KEPT_EXTENSIONS = {"web", "console"}


def _restore(app: Flask, pristine: dict) -> None:
    """The app as built: its configuration, an empty task queue, and none of what it added
    to ``extensions`` since (cached answers, search indexes, the OpenAPI bytes a test may
    have replaced)."""
    app.config.clear()
    app.config.update(copy.deepcopy(pristine["config"]))
    for name in set(app.extensions) - pristine["extensions"] - _KEPT_EXTENSIONS:
        del app.extensions[name]
    huey = task_queue.huey(app)
    huey.flush()  # the tasks earlier tests queued
    huey.immediate = pristine["huey_immediate"]  # a test may have switched it on


@pytest.fixture
def app_settings() -> dict:
    """Settings every app of a folder's or module's tests has, on top of the test defaults:
    override this fixture in a conftest or module (``return {"WECHAT_RETRY_BACKOFF": 0.01}``).
    """
    return {}


@pytest.fixture
def app_config(_migrated_database, tmp_path, wechat_stub, app_settings):
    """The settings of the test's default app, read-only (to pass to a subprocess, say)."""
    return _ReadOnlySettings(
        make_test_config(_migrated_database, tmp_path, wechat_stub.base_url, **app_settings)
    )


@pytest.fixture
def make_app(_app_pool, tmp_path, app_settings):
    """Factory: ``make_app(**overrides)`` is the test's app with those settings (on top of
    ``app_settings``), its app context pushed until the test ends. Call it before anything
    that uses ``app`` (``client``, ``live_server``, ``create_user``...) and they use this app.

    Apps are kept per worker by their settings and reset between tests; the directories
    (``SEARCH_INDEX_DIR``, ``SITE_DIR``, ``CONTENT_DIR``) are the test's own unless given.
    ``make_app(own=True)`` builds an app for this test alone: for a test that adds routes."""
    apps = _TestApps(_app_pool, tmp_path)

    def make(*, own: bool = False, **overrides) -> Flask:
        return apps.make({**app_settings, **overrides}, own)

    make.apps = apps
    yield make
    apps.close()


@pytest.fixture
def app(make_app):
    """The test's app: the one ``make_app`` made earlier in the test, else the shared app of
    this worker (with ``app_settings``), reset for the test: empty tables, no cached answers,
    fresh rate limits, its own directories, the clock following the system."""
    return make_app.apps.latest or make_app()


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

    def create(
        username: str | None = None,
        *,
        roles: list[tuple[str, str | None]] = (),
        password: str | None = None,
        openid: str | None = None,
    ) -> User:
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
        starts_at = overrides.pop("starts_at", utcnow().replace(microsecond=0) + timedelta(days=1))
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


def _closing_every_body(app):
    """The app as a WSGI callable that leaves no file open behind a request.

    Werkzeug's development server answers each request on a new thread, and closes an
    answer's iterable only after draining the socket: when a browser drops the connection
    (navigating away mid-download), that drain raises and the iterable of a file (a site asset)
    stays open. The search index keeps one searcher per thread, closed when its thread ends.
    Either would be found by the garbage collector in some later test, as an unraisable
    ``ResourceWarning`` failing that test. So the answer is read whole and closed at once, and
    the thread's searchers are closed with the request (gunicorn's threads live on)."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
            with app.app_context():
                close_search_indexes()

    return wsgi


@pytest.fixture
def live_server(app):
    """The test app behind a real threaded HTTP server on a free port; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, _closing_every_body(app), threaded=True)
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


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@pytest.fixture
def writes_during_get(app):
    """The SQL write statements run while a GET (or HEAD) request was handled, as
    ``(path, statement)``. An UPDATE changes no row count: the check is on the statements."""
    seen: list[tuple[str, str]] = []

    def check(connection, cursor, statement, parameters, context, executemany):
        if (
            has_request_context()
            and request.method in ("GET", "HEAD")
            and statement.lstrip().upper().startswith(_WRITES)
        ):
            seen.append((request.full_path, statement.split("\n")[0][:80]))

    sa.event.listen(db.engine, "before_cursor_execute", check)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", check)


# --- which half runs what ------------------------------------------------------------------
# `./run test` runs the suite twice, on SQLite and then on PostgreSQL. The PostgreSQL half runs
# what can behave differently there: every test that reaches the test database (it needs the
# ``database_url`` fixture, directly or through ``app``). What never touches the database, and
# the pages driven in a real browser (the API under them is tested on both databases by its own
# tests), run in the SQLite half only. Tests marked ``strictest_database`` (the fuzzer, whose
# NUL bytes, huge integers and long strings only PostgreSQL refuses) run in the PostgreSQL half
# only. Slow tests go first, so that no long test starts last and stretches the run.


def _in_this_half(item, on_postgres: bool) -> bool:
    if on_postgres:
        return "database_url" in item.fixturenames and "browser" not in item.fixturenames
    return item.get_closest_marker("strictest_database") is None


def pytest_collection_modifyitems(config, items):
    """Keep the tests of this half (SQLite or PostgreSQL), slow ones first."""
    on_postgres = _is_postgres(os.environ.get("TEST_DATABASE_URL", ""))
    kept = [item for item in items if _in_this_half(item, on_postgres)]
    dropped = [item for item in items if not _in_this_half(item, on_postgres)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = sorted(kept, key=lambda item: item.get_closest_marker("slow") is None)
