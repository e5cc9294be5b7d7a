"""The login endpoints are rate-limited (per client address), answering the envelope."""

import pytest


@pytest.fixture
def limited_client(make_app):
    return make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute").test_client()


def test_password_login_is_rate_limited(limited_client, assert_envelope):
    attempts = [
        limited_client.post(
            "/api/v1/auth/password", json={"username": "admin", "password": "guess"}
        )
        for _ in range(3)
    ]

    assert [response.status_code for response in attempts[:2]] == [401, 401]
    assert_envelope(attempts[2], 429, "rate_limited")
    assert "Retry-After" in attempts[2].headers


def test_wechat_login_is_rate_limited(limited_client, assert_envelope):
    attempts = [
        limited_client.post("/api/v1/auth/wechat", json={"code": "hammer"}) for _ in range(3)
    ]

    assert [response.status_code for response in attempts[:2]] == [200, 200]
    assert_envelope(attempts[2], 429, "rate_limited")


def test_rate_limit_is_off_when_disabled(make_app):
    client = make_app(RATELIMIT_ENABLED=False, LOGIN_RATE_LIMIT="2 per minute").test_client()

    attempts = [client.post("/api/v1/auth/wechat", json={"code": "hammer"}) for _ in range(4)]

    assert {response.status_code for response in attempts} == {200}
