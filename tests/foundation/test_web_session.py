"""The web pages' cookie session: HttpOnly tokens, CSRF on writes, refresh and sign-out."""

import pytest

from api.auth import web_session

LOGIN = "/api/v1/auth/wechat?session=cookie"


def _set_cookies(response) -> dict:
    """``{name: header}`` of the response's Set-Cookie headers."""
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


@pytest.fixture
def signed_in(client):
    """A client signed in through the cookie session; returns the sign-in response."""
    response = client.post(LOGIN, json={"code": "web-owner"})
    assert response.status_code == 200
    return response


def _csrf(client) -> str:
    return client.get_cookie(web_session.CSRF_COOKIE).value


def test_cookie_sign_in_keeps_the_tokens_out_of_the_body(signed_in):
    body = signed_in.get_json()
    cookies = _set_cookies(signed_in)

    assert "token" not in body and "refresh_token" not in body and body["user"]["id"]
    assert set(cookies) == {"civ_session", "civ_refresh", "civ_csrf"}
    for name in ("civ_session", "civ_refresh"):
        assert "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name]
    assert "HttpOnly" not in cookies["civ_csrf"]
    assert "Path=/api/v1/auth/" in cookies["civ_refresh"]
    assert "Secure" not in cookies["civ_session"]  # plain http on a development machine


def test_cookies_are_secure_over_https(app):
    response = app.test_client().post(
        LOGIN, json={"code": "web-owner"}, base_url="https://localhost"
    )

    assert all("; Secure" in header for header in _set_cookies(response).values())


def test_the_cookie_signs_in_reads(client, signed_in):
    me = client.get("/api/v1/me")

    assert me.status_code == 200
    assert me.get_json()["id"] == signed_in.get_json()["user"]["id"]


@pytest.mark.parametrize("header", [None, "forged", "0" * 64])
def test_a_cookie_write_without_the_csrf_token_is_403(client, signed_in, header, assert_envelope):
    headers = {"X-CSRF-Token": header} if header else {}

    response = client.post("/api/v1/auth/logout-all", headers=headers)

    assert_envelope(response, 403, "csrf_failed")
    assert client.get("/api/v1/me").status_code == 200  # nothing happened


def test_a_cookie_write_with_the_csrf_token_goes_through(client, signed_in):
    response = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": _csrf(client)})

    assert response.status_code == 204
    assert client.get_cookie(web_session.ACCESS_COOKIE) is None


def test_a_bearer_write_needs_no_csrf_token(client):
    token = client.post("/api/v1/auth/wechat", json={"code": "app-owner"}).get_json()["token"]

    response = client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 204


def test_logout_refuses_the_old_cookie_token(client, signed_in, assert_envelope):
    old_token = client.get_cookie(web_session.ACCESS_COOKIE).value

    client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": _csrf(client)})

    refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {old_token}"})
    assert_envelope(refused, 401, "invalid_token")


def test_refresh_by_cookie_rotates_the_cookies(client, signed_in):
    old_refresh = client.get_cookie(web_session.REFRESH_COOKIE, path="/api/v1/auth/").value

    response = client.post(
        "/api/v1/auth/refresh?session=cookie", json={}, headers={"X-CSRF-Token": _csrf(client)}
    )

    assert response.status_code == 200
    assert "token" not in response.get_json()
    assert client.get_cookie(web_session.REFRESH_COOKIE, path="/api/v1/auth/").value != old_refresh
    assert client.get("/api/v1/me").status_code == 200


def test_a_stale_cookie_reads_public_data_as_signed_out(client, assert_envelope):
    client.set_cookie(web_session.ACCESS_COOKIE, "expired-or-revoked")

    assert client.get("/api/v1/units").status_code == 200
    assert_envelope(client.get("/api/v1/me"), 401, "invalid_token")
