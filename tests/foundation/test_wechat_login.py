"""``POST /api/v1/auth/wechat`` against the bundled stub, over real HTTP."""

import time
from datetime import UTC, datetime

import sqlalchemy as sa

from api.accounts.models import User
from api.extensions import db
from api.personal_data import decrypt
from api.wechat.stub import stub_openid


def _login(client, code: str):
    return client.post("/api/v1/auth/wechat", json={"code": code})


def _user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_first_login_creates_the_user(client):
    response = _login(client, "first-login")

    assert response.status_code == 200
    body = response.get_json()
    assert body["token"]
    assert body["user"]["roles"] == ["resident"]
    user = db.session.scalar(sa.select(User).where(User.openid == stub_openid("first-login")))
    assert user is not None and user.id == body["user"]["id"]


def test_second_login_finds_the_same_user(client):
    first = _login(client, "same-person").get_json()

    second = _login(client, "same-person")

    assert second.status_code == 200
    assert second.get_json()["user"]["id"] == first["user"]["id"]
    assert second.get_json()["token"]
    assert _user_count() == 1


def test_login_answers_an_expiry_in_local_time(app, client, frozen_clock):
    frozen_clock(datetime(2027, 2, 28, 15, 30, tzinfo=UTC))  # 23:30 on 28 February, local
    assert app.config["TOKEN_TTL_SECONDS"] == 2 * 3600

    body = _login(client, "expiry").get_json()

    assert body["expires_at"] == "2027-03-01T01:30:00+08:00"  # past local midnight


def test_login_goes_to_jscode2session_with_appid_secret_and_code(app, client, wechat_stub):
    _login(client, "check-the-query")

    name, query = wechat_stub.calls[-1]
    assert name == "jscode2session"
    assert query == {
        "appid": app.config["WECHAT_APPID"],
        "secret": app.config["WECHAT_SECRET"],
        "js_code": "check-the-query",
        "grant_type": "authorization_code",
    }


def test_answer_never_contains_session_key_or_openid(client):
    response = _login(client, "keep-it-secret")

    user = db.session.scalar(sa.select(User).where(User.openid == stub_openid("keep-it-secret")))
    session_key = decrypt(user.wechat_session_key)
    text = response.get_data(as_text=True)
    assert session_key not in text
    assert user.openid not in text
    assert "session_key" not in text and "openid" not in text


def test_session_key_is_stored_encrypted(client):
    _login(client, "stored-key")

    user = db.session.scalar(sa.select(User).where(User.openid == stub_openid("stored-key")))
    session_key = decrypt(user.wechat_session_key)
    assert session_key and session_key not in user.wechat_session_key


def test_me_never_contains_the_openid(client):
    token = _login(client, "me-without-openid").get_json()["token"]

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert stub_openid("me-without-openid") not in response.get_data(as_text=True)


def test_invalid_code_is_401_invalid_code(client, assert_envelope):
    response = _login(client, "invalid-code-123")

    assert_envelope(response, 401, "invalid_code")
    assert _user_count() == 0


def test_wechat_rate_limit_is_429(client, assert_envelope):
    response = _login(client, "rate-limited")

    assert_envelope(response, 429, "wechat_rate_limited")


def test_wechat_busy_is_503(client, assert_envelope):
    assert_envelope(_login(client, "busy"), 503, "wechat_unavailable")


def test_wechat_down_is_503_within_6_seconds(make_app, closed_port, assert_envelope):
    # The production timeout: being unreachable must not wait for it.
    client = make_app(
        WECHAT_API_BASE=f"http://127.0.0.1:{closed_port}", WECHAT_TIMEOUT=5.0
    ).test_client()
    started = time.monotonic()

    response = _login(client, "nobody-answers")

    assert time.monotonic() - started < 6
    assert_envelope(response, 503, "wechat_unavailable")


def test_wechat_slower_than_the_timeout_is_503(make_app, wechat_stub, assert_envelope):
    client = make_app(WECHAT_TIMEOUT=0.3).test_client()
    started = time.monotonic()

    response = _login(client, "slow")

    assert time.monotonic() - started < wechat_stub.slow_seconds
    assert_envelope(response, 503, "wechat_unavailable")
