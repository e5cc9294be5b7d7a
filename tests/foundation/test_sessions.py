"""Sessions that end: sign-out, sign-out everywhere, refresh rotation, and the events that
end every earlier sign-in (password reset, role change, phone change)."""

from datetime import datetime, timedelta

import pytest

from api.accounts import services as account_services
from api.accounts.models import AuthSession, User
from api.extensions import db
from api.timeutil import utcnow

PASSWORD = "a-long-password"


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _sign_in(client, code: str = "session-owner") -> dict:
    response = client.post("/api/v1/auth/wechat", json={"code": code})
    assert response.status_code == 200
    return response.get_json()


def _me_status(client, token: str) -> int:
    return client.get("/api/v1/me", headers=_bearer(token)).status_code


def test_sign_in_answers_a_short_access_token_and_a_refresh_token(client, frozen_clock):
    now = utcnow().replace(microsecond=0)
    frozen_clock(now)

    body = _sign_in(client)

    assert body["token"] and body["refresh_token"] and body["token"] != body["refresh_token"]
    assert datetime.fromisoformat(body["expires_at"]) == now + timedelta(hours=2)
    assert datetime.fromisoformat(body["refresh_expires_at"]) == now + timedelta(days=30)


def test_logout_refuses_that_token_and_keeps_other_sessions(client, assert_envelope):
    phone, laptop = _sign_in(client), _sign_in(client)

    assert client.post("/api/v1/auth/logout", headers=_bearer(phone["token"])).status_code == 204

    assert_envelope(client.get("/api/v1/me", headers=_bearer(phone["token"])), 401, "invalid_token")
    refused = client.post("/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]})
    assert_envelope(refused, 401, "invalid_token")
    assert _me_status(client, laptop["token"]) == 200


def test_logout_all_refuses_every_token_of_the_user(client, assert_envelope):
    phone, laptop = _sign_in(client), _sign_in(client)

    assert (
        client.post("/api/v1/auth/logout-all", headers=_bearer(laptop["token"])).status_code == 204
    )

    for session in (phone, laptop):
        assert_envelope(
            client.get("/api/v1/me", headers=_bearer(session["token"])), 401, "invalid_token"
        )
        refused = client.post(
            "/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]}
        )
        assert refused.status_code == 401
    assert _me_status(client, _sign_in(client)["token"]) == 200


def test_logout_needs_a_sign_in(client, assert_envelope):
    assert_envelope(client.post("/api/v1/auth/logout"), 401, "unauthorized")


def test_refresh_rotates_and_a_replayed_refresh_token_ends_the_session(client, assert_envelope):
    first = _sign_in(client)

    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})

    assert second.status_code == 200
    second = second.get_json()
    assert second["refresh_token"] != first["refresh_token"]
    assert _me_status(client, second["token"]) == 200
    # The first refresh token again: a replay. The whole session ends, new tokens too.
    replay = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert_envelope(replay, 401, "invalid_token")
    assert _me_status(client, second["token"]) == 401
    assert (
        client.post(
            "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
        ).status_code
        == 401
    )


def test_refresh_token_is_not_an_access_token_nor_the_reverse(client):
    session = _sign_in(client)

    assert _me_status(client, session["refresh_token"]) == 401
    assert (
        client.post("/api/v1/auth/refresh", json={"refresh_token": session["token"]}).status_code
        == 401
    )


def test_refresh_token_of_an_expired_session_is_refused(client, frozen_clock):
    now = utcnow()
    frozen_clock(now)
    session = _sign_in(client)
    frozen_clock(now + timedelta(days=31))

    response = client.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})

    assert response.status_code == 401


@pytest.fixture
def staff(runner, corpus_units):
    """A unit admin created with ``flask users create``; returns a sign-in factory."""
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


def _password_sign_in(client, password: str = PASSWORD) -> str:
    response = client.post(
        "/api/v1/auth/password", json={"username": "julin", "password": password}
    )
    assert response.status_code == 200
    return response.get_json()["token"]


def _julin() -> User:
    db.session.expire_all()
    return db.session.scalar(db.select(User).where(User.username == "julin"))


def test_password_reset_with_users_create_refuses_old_tokens(client, runner, staff):
    old = _password_sign_in(client)

    result = runner.invoke(
        args=[
            "users",
            "create",
            "julin",
            "--password",
            "another-password",
            "--role",
            "unit_admin",
            "--unit",
            "LY-JL",
        ]
    )

    assert result.exit_code == 0, result.output
    assert _me_status(client, old) == 401
    assert _me_status(client, _password_sign_in(client, "another-password")) == 200


def test_role_grant_refuses_old_tokens(client, staff, corpus_units):
    old = _password_sign_in(client)

    account_services.grant_role(None, _julin(), "editor", None)
    db.session.commit()

    assert _me_status(client, old) == 401
    assert _me_status(client, _password_sign_in(client)) == 200


def test_role_revoke_refuses_old_tokens(client, staff, corpus_units):
    old = _password_sign_in(client)

    assert account_services.revoke_role(None, _julin(), "unit_admin", corpus_units["LY-JL"])
    db.session.commit()

    assert _me_status(client, old) == 401
    assert _julin().grants == []


def test_phone_change_signs_out_the_other_sessions(client, corpus_units):
    phone, laptop = _sign_in(client), _sign_in(client)
    body = {"real_name": "张小三", "phone": "13812345678", "unit_id": corpus_units["LY-JL"].id}
    assert (
        client.put("/api/v1/me/volunteer", json=body, headers=_bearer(phone["token"])).status_code
        == 200
    )
    # Registering did not change a phone: both sessions stand.
    assert _me_status(client, laptop["token"]) == 200

    changed = client.put(
        "/api/v1/me/volunteer",
        json={**body, "phone": "13900001111"},
        headers=_bearer(phone["token"]),
    )

    assert changed.status_code == 200
    assert _me_status(client, laptop["token"]) == 401
    assert _me_status(client, phone["token"]) == 200  # the one who changed it stays


def test_same_phone_again_keeps_the_other_sessions(client, corpus_units):
    phone, laptop = _sign_in(client), _sign_in(client)
    body = {"real_name": "张小三", "phone": "13812345678", "unit_id": corpus_units["LY-JL"].id}
    for name in ("张小三", "张小四"):
        client.put(
            "/api/v1/me/volunteer",
            json={**body, "real_name": name},
            headers=_bearer(phone["token"]),
        )

    assert _me_status(client, laptop["token"]) == 200


def test_ended_sessions_are_deleted_at_the_next_sign_in(client):
    first = _sign_in(client)
    client.post("/api/v1/auth/logout", headers=_bearer(first["token"]))
    second = _sign_in(client)

    rows = db.session.scalars(db.select(AuthSession)).all()
    assert len(rows) == 1 and rows[0].revoked_at is None
    assert _me_status(client, second["token"]) == 200
