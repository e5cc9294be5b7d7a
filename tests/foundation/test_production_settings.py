"""Production refuses weak settings, and the public host is pinned to SITE_URL."""

import pytest

from api.config import Config
from api.urls import public_url

STRONG = {
    "APP_ENV": "production",
    "SECRET_KEY": "k7Vq2xZ9pL4mW8nR3tY6uB1cE5fH0jSd",
    "DATA_KEY": "Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc",
    "WECHAT_APPID": "wx0123456789abcdef",
    "WECHAT_SECRET": "0123456789abcdef0123456789abcdef",
    "WECHAT_API_BASE": "https://api.weixin.qq.com",
    "SITE_URL": "https://civ.example.org",
    "DEBUG": False,
    "DEMO_LOGIN": False,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "WEB_CONCURRENCY": 4,
}


def test_strong_production_settings_start(make_app):
    app = make_app(**STRONG)

    assert app.config["APP_ENV"] == "production"


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("SECRET_KEY", "dev-secret-key-not-for-production", "SECRET_KEY"),
        ("SECRET_KEY", "x", "SECRET_KEY"),
        ("SECRET_KEY", "ab" * 20, "SECRET_KEY"),
        ("DATA_KEY", "dev-data-key-not-for-production-0123456789", "DATA_KEY"),
        ("DATA_KEY", "0" * 40, "DATA_KEY"),
        ("WECHAT_APPID", "wx-demo-appid", "WECHAT_APPID"),
        ("WECHAT_SECRET", "demo-secret", "WECHAT_SECRET"),
        ("WECHAT_API_BASE", "http://127.0.0.1:8081", "WECHAT_API_BASE"),
        ("WECHAT_API_BASE", "http://api.weixin.qq.com", "WECHAT_API_BASE"),
        ("SITE_URL", "", "SITE_URL"),
        ("SITE_URL", "civ.example.org", "SITE_URL"),
        ("DEBUG", True, "debug"),
        ("DEMO_LOGIN", True, "DEMO_LOGIN"),
        ("RATELIMIT_STORAGE_URI", "memory://", "memory://"),
    ],
)
def test_production_refuses_a_weak_setting(make_app, setting, value, named):
    with pytest.raises(RuntimeError, match=named):
        make_app(**{**STRONG, setting: value})


def test_demo_sign_in_is_off_by_default_in_production(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("DEMO_LOGIN", raising=False)

    assert Config().DEMO_LOGIN is False


def test_production_pages_offer_no_demo_sign_in(make_app):
    app = make_app(**{**STRONG, "WECHAT_API_BASE": "https://wx-proxy.example.org"})

    page = app.test_client().get("/app/login").get_data(as_text=True)

    assert '"demoLogin": false' in page.replace('"demoLogin":false', '"demoLogin": false')


@pytest.fixture
def pinned(make_app):
    make_app(SITE_URL="https://civ.example.org")


def test_the_calendar_feed_url_ignores_the_host_header(pinned, client, create_user, auth_headers):
    response = client.post(
        "/api/v1/me/calendar-feed", headers={**auth_headers(create_user()), "Host": "evil.example"}
    )

    assert response.status_code == 200
    assert response.get_json()["url"].startswith("https://civ.example.org/api/v1/me/calendar.ics")
    assert "evil.example" not in response.get_data(as_text=True)


def test_article_urls_ignore_the_host_header(pinned, client, create_user, auth_headers):
    editor = create_user(roles=[("editor", None)])

    response = client.post(
        "/api/v1/articles/preview",
        json={"body": "![图](photo.png)", "slug": "2026-12-03-gaoxueya"},
        headers={**auth_headers(editor), "Host": "evil.example"},
    )

    assert 'src="https://civ.example.org/' in response.get_json()["html"]
    assert "evil.example" not in response.get_data(as_text=True)


def test_the_checkin_qr_code_ignores_the_host_header(pinned, client):
    with client.application.test_request_context(headers={"Host": "evil.example"}):
        assert (
            public_url("web.checkin", activity=1, token="t")
            == "https://civ.example.org/app/checkin?activity=1&token=t"
        )


def test_development_without_site_url_uses_the_request_host(client, create_user, auth_headers):
    response = client.post(
        "/api/v1/me/calendar-feed",
        headers={**auth_headers(create_user()), "Host": "laptop.local:5000"},
    )

    assert response.get_json()["url"].startswith("http://laptop.local:5000/")
