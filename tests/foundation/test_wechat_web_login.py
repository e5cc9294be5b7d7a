"""Sign-in on the web through the official account's web authorization (网页授权), against
the bundled stub over real HTTP: the same user as the mini-program's, by unionid."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import sqlalchemy as sa

from api.accounts.models import User
from api.extensions import db


@pytest.fixture
def person(wechat_stub):
    """Factory: who agrees on the stub's authorize page (restored afterwards)."""

    def set_person(name: str) -> str:
        wechat_stub.oauth_person = name
        return name

    yield set_person
    wechat_stub.oauth_person = "demo-resident"


def authorize(client, scope: str = "userinfo") -> dict:
    """The browser's round trip: /app/auth/wechat → WeChat's authorize page → back with
    ``code`` and ``state`` (the state cookie stays in the test client)."""
    started = client.get("/app/auth/wechat", query_string={"scope": scope})
    assert started.status_code == 302
    assert started.headers["Cache-Control"] == "no-store"
    wechat = requests.get(
        started.headers["Location"].split("#")[0], allow_redirects=False, timeout=5
    )
    assert wechat.status_code == 302
    back = urlsplit(wechat.headers["Location"])
    assert back.path == "/app/auth/wechat/done"
    return {key: values[0] for key, values in parse_qs(back.query).items()}


def sign_in(client, answer: dict):
    return client.post("/api/v1/auth/wechat-web", json=answer)


def test_the_web_user_is_the_mini_program_user(client, person):
    mini = client.post("/api/v1/auth/wechat", json={"code": "demo-volunteer"}).get_json()
    person("demo-volunteer")

    response = sign_in(client, authorize(client))

    assert response.status_code == 200
    assert response.get_json()["user"]["id"] == mini["user"]["id"]
    user = db.session.get(User, mini["user"]["id"])
    db.session.refresh(user)
    assert user.oa_openid and user.oa_openid != user.openid
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_a_web_first_user_is_found_again_by_the_mini_program(client, person):
    person("web-first")
    web = sign_in(client, authorize(client)).get_json()

    mini = client.post("/api/v1/auth/wechat", json={"code": "web-first"}).get_json()

    assert mini["user"]["id"] == web["user"]["id"]


def test_a_code_works_once(client):
    answer = authorize(client)
    assert sign_in(client, answer).status_code == 200

    again = sign_in(client, answer)

    assert again.status_code == 401
    assert again.get_json()["error"] == "code_used"  # WeChat's 40163


def test_an_unknown_code_is_refused(client):
    answer = authorize(client)

    response = sign_in(client, {**answer, "code": "oa-never-issued"})

    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_code"  # WeChat's 40029


def test_the_state_must_be_the_one_this_browser_left_with(app, client):
    answer = authorize(client)
    other_browser = app.test_client()

    stolen = sign_in(other_browser, answer)
    forged = sign_in(client, {**answer, "state": "0" * 32})

    assert stolen.status_code == forged.status_code == 400
    assert stolen.get_json()["error"] == forged.get_json()["error"] == "invalid_state"


def test_a_silent_first_sign_in_asks_for_the_profile_then_silent_works(client, person):
    person("silent-person")
    first = sign_in(client, authorize(client, "base"))
    assert first.status_code == 409
    assert first.get_json()["error"] == "wechat_userinfo_required"

    user_id = sign_in(client, authorize(client, "userinfo")).get_json()["user"]["id"]
    silent = sign_in(client, authorize(client, "base"))

    assert silent.status_code == 200 and silent.get_json()["user"]["id"] == user_id


def test_the_stub_refuses_a_bad_scope(wechat_stub):
    response = requests.get(
        f"{wechat_stub.base_url}/connect/oauth2/authorize",
        params={
            "appid": "wx-demo-oa-appid",
            "redirect_uri": "http://127.0.0.1/x",
            "response_type": "code",
            "scope": "snsapi_everything",
        },
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 400
