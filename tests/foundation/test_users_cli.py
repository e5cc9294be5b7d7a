"""``flask users create`` and the other operation commands."""

import sqlalchemy as sa

from api.accounts.models import User
from api.extensions import db

PASSWORD = "a-long-password"


def _user(username: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


def test_users_create_makes_a_staff_account_that_can_sign_in(runner, client, corpus_units):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "julin",
            "--password",
            PASSWORD,
            "--role",
            "unit_admin",
            "--unit",
            "LY-JL",
        ]
    )

    assert result.exit_code == 0, result.output
    login = client.post("/api/v1/auth/password", json={"username": "julin", "password": PASSWORD})
    assert login.status_code == 200
    (grant,) = login.get_json()["user"]["grants"]
    assert (grant["role"], grant["unit_id"]) == ("unit_admin", corpus_units["LY-JL"].id)


def test_users_create_without_unit_grants_everywhere(runner, corpus_units):
    result = runner.invoke(
        args=["users", "create", "root", "--password", PASSWORD, "--role", "admin"]
    )

    assert result.exit_code == 0, result.output
    (grant,) = _user("root").grants
    assert (grant.role, grant.unit_id) == ("admin", None)


def test_users_create_refuses_an_unknown_unit(runner, corpus_units):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "ghost",
            "--password",
            PASSWORD,
            "--role",
            "unit_admin",
            "--unit",
            "LY-NOWHERE",
        ]
    )

    assert result.exit_code != 0
    assert "LY-NOWHERE" in result.output
    assert _user("ghost") is None


def test_users_create_refuses_an_unknown_role(runner, corpus_units):
    result = runner.invoke(
        args=["users", "create", "ghost", "--password", PASSWORD, "--role", "emperor"]
    )

    assert result.exit_code == 2
    assert _user("ghost") is None


def test_users_create_refuses_a_short_password(runner, corpus_units):
    result = runner.invoke(
        args=["users", "create", "ghost", "--password", "short", "--role", "editor"]
    )

    assert result.exit_code == 2
    assert _user("ghost") is None


def test_users_create_again_adds_a_role_and_resets_the_password(runner, client, corpus_units):
    runner.invoke(
        args=[
            "users",
            "create",
            "julin",
            "--password",
            PASSWORD,
            "--role",
            "unit_admin",
            "--unit",
            "LY-JL",
        ]
    )

    result = runner.invoke(
        args=[
            "users",
            "create",
            "julin",
            "--password",
            "another-password",
            "--role",
            "editor",
            "--unit",
            "LY",
        ]
    )

    assert result.exit_code == 0, result.output
    assert sorted(grant.role for grant in _user("julin").grants) == ["editor", "unit_admin"]
    assert (
        client.post(
            "/api/v1/auth/password", json={"username": "julin", "password": "another-password"}
        ).status_code
        == 200
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_every_operation_command_is_registered(runner):
    result = runner.invoke(args=["--help"])

    for group in ("db", "seed", "import", "users", "jobs", "wechat-stub"):
        assert group in result.output
