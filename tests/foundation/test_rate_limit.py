"""The login endpoints are rate-limited (per client address), answering the envelope."""

import pytest
from itsdangerous import URLSafeTimedSerializer


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


def test_a_limited_signed_in_request_checks_its_token_once(
    make_app, create_user, auth_headers, create_activity, monkeypatch
):
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    headers = auth_headers(create_user())
    url = f"/api/v1/activities/{create_activity().id}/signups"
    checks = []
    loads = URLSafeTimedSerializer.loads
    monkeypatch.setattr(
        URLSafeTimedSerializer,
        "loads",
        lambda self, *args, **kwargs: checks.append(self.salt) or loads(self, *args, **kwargs),
    )

    response = client.post(url, headers=headers)

    assert response.status_code == 201
    assert "X-RateLimit-Remaining" in response.headers  # the user's limit counted it
    assert checks == [b"auth-token"]  # the limiter's key and the sign-in share the check
