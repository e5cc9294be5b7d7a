"""``flask db upgrade`` from an empty database, and ``flask seed demo``."""

import re
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from api import demo
from api.accounts.models import RoleGrant, User, VolunteerProfile
from api.extensions import db
from api.help.models import HelpRequest
from api.hours.models import ServiceRecord
from api.points.models import Reward
from api.seed import DEMO_STAFF
from api.units.models import Team, Unit

FOUNDATION_TABLES = {
    "units",
    "teams",
    "users",
    "role_grants",
    "volunteer_profiles",
    "jobs",
    "audit_log",
}


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A brand-new database of the suite's kind: a new SQLite file, or a new PostgreSQL
    database (dropped afterwards)."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    name = f"civfresh_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.engine.make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def fresh_app(make_app, empty_database_url):
    """An app pointed at the brand-new, empty database."""
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    yield app
    with app.app_context():
        db.engine.dispose()


def _table_names(app) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def test_empty_database_has_no_tables(fresh_app):
    assert _table_names(fresh_app) == set()


def test_db_upgrade_builds_the_schema_from_empty(fresh_app):
    result = fresh_app.test_cli_runner().invoke(args=["db", "upgrade"])

    assert result.exit_code == 0, result.output
    assert FOUNDATION_TABLES | {"alembic_version"} <= _table_names(fresh_app)


def test_db_upgrade_reaches_the_head_revision(fresh_app):
    fresh_app.test_cli_runner().invoke(args=["db", "upgrade"])

    with fresh_app.app_context():
        config = fresh_app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
        version = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        db.session.remove()
    assert [version] == heads


def _table_of(difference) -> str:
    """The table an autogenerate difference is about."""
    operation = difference[0] if isinstance(difference, list) else difference
    kind, subject = operation[0], operation[1]
    if kind.endswith("_table"):
        return subject.name
    if kind.endswith("_column") or kind.startswith("modify_"):
        return operation[2]
    return subject.table.name  # indexes and constraints


def test_migrated_foundation_schema_matches_the_models(fresh_app):
    fresh_app.test_cli_runner().invoke(args=["db", "upgrade"])

    with fresh_app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)

    assert [diff for diff in differences if _table_of(diff) in FOUNDATION_TABLES] == []


def _counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Unit, Team, User, RoleGrant, VolunteerProfile)
    }


def _seed(runner, monkeypatch, corpus=None):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    return runner.invoke(args=["seed", "demo", *(["--corpus", str(corpus)] if corpus else [])])


def test_seed_demo_creates_a_user_of_every_role(runner, monkeypatch, corpus_rows):
    result = _seed(runner, monkeypatch)

    assert result.exit_code == 0, result.output
    roles = set(db.session.scalars(sa.select(RoleGrant.role)))
    assert {"admin", "editor", "unit_admin", "team_leader"} <= roles
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VolunteerProfile)) == 1 + len(
        demo.VOLUNTEERS
    )
    assert _counts()["Unit"] == len(corpus_rows("units.csv"))
    assert result.output.count("password:") == len(DEMO_STAFF)


def test_seed_demo_twice_duplicates_nothing_and_prints_no_password(
    runner, monkeypatch, corpus_copy
):
    _seed(runner, monkeypatch, corpus_copy)
    before = _counts()

    result = _seed(runner, monkeypatch, corpus_copy)

    assert result.exit_code == 0, result.output
    assert _counts() == before
    assert "password:" not in result.output


def test_second_seed_keeps_the_printed_passwords_working(client, runner, monkeypatch, corpus_copy):
    first = _seed(runner, monkeypatch, corpus_copy).output
    password = re.search(r"^\s*admin\s.*password: (\S+)$", first, re.MULTILINE).group(1)
    _seed(runner, monkeypatch, corpus_copy)

    response = client.post(
        "/api/v1/auth/password", json={"username": "admin", "password": password}
    )

    assert response.status_code == 200
    assert "admin" in response.get_json()["user"]["roles"]


def test_demo_wechat_code_signs_in_the_seeded_volunteer(client, runner, monkeypatch, corpus_copy):
    _seed(runner, monkeypatch, corpus_copy)

    response = client.post("/api/v1/auth/wechat", json={"code": "demo-volunteer"})

    assert response.status_code == 200
    volunteer = response.get_json()["user"]["volunteer"]
    assert volunteer["phone"] == "138****8000"
    assert volunteer["unit"]["code"] == "LY-JL-YFC"


def test_seed_demo_gives_every_console_screen_something_to_show(client, runner, monkeypatch):
    output = _seed(runner, monkeypatch).output
    code = re.search(r"redemption code to confirm: (\w+)", output).group(1)

    roles = set(db.session.scalars(sa.select(RoleGrant.role)))
    assert {"admin", "editor", "unit_admin", "team_leader", "merchant_admin", "official"} <= roles
    statuses = set(db.session.scalars(sa.select(ServiceRecord.status)))
    assert {"pending", "approved"} <= statuses
    assert set(db.session.scalars(sa.select(HelpRequest.status))) >= {
        "submitted",
        "dispatched",
        "accepted",
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reward)) == 3
    password = re.search(r"^\s*merchant\s.*password: (\S+)$", output, re.MULTILINE).group(1)
    token = client.post(
        "/api/v1/auth/password", json={"username": "merchant", "password": password}
    ).get_json()["token"]
    confirmed = client.post(
        "/api/v1/redemptions/confirm",
        json={"code": code},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert confirmed.status_code == 200, confirmed.get_json()
    editor = client.post(
        "/api/v1/auth/password",
        json={
            "username": "editor",
            "password": re.search(r"^\s*editor\s.*password: (\S+)$", output, re.MULTILINE).group(1),
        },
    ).get_json()
    drafts = client.get(
        "/api/v1/editor/articles?draft=true", headers={"Authorization": f"Bearer {editor['token']}"}
    ).get_json()
    assert drafts["pagination"]["total"] >= 1
