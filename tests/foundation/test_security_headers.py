"""nosniff, a referrer policy and frame-ancestors on every response; no CORS."""

from pathlib import Path

import pytest

from api.headers import secure_headers
from api.web.views import CONTENT_SECURITY_POLICY


@pytest.fixture
def site_page(app):
    """A built site of one page, where the app serves SITE_DIR."""
    root = Path(app.config["SITE_DIR"])
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text("<!doctype html><title>站点</title>", encoding="utf-8")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/units", 200),
        ("get", "/api/v1/openapi.json", 200),
        ("get", "/api/v1/no-such-thing", 404),
        ("delete", "/api/v1/units", 405),
        ("post", "/api/v1/auth/wechat", 422),
        ("get", "/api/v1/me", 401),
        ("get", "/healthz", 200),
        ("get", "/", 200),
        ("get", "/no-such-page/", 404),
        ("get", "/app/", 200),
    ],
)
def test_every_response_carries_the_security_headers(client, site_page, method, path, status):
    response = getattr(client, method)(path)
    response.close()  # a file of the site is streamed

    assert response.status_code == status
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {
        "strict-origin-when-cross-origin",
        "same-origin",
        "no-referrer",
    }
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_api_answers_forbid_framing(client):
    response = client.get("/api/v1/units")

    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_policy_set_by_a_view_is_kept(client):
    assert client.get("/app/").headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_a_policy_without_frame_ancestors_gets_it_added(app):
    with app.test_request_context():
        response = app.make_response(
            ("x", 200, {"Content-Security-Policy": "default-src 'self'; script-src 'self';"})
        )
        secured = secure_headers(response)

    assert (
        secured.headers["Content-Security-Policy"]
        == "default-src 'self'; script-src 'self'; frame-ancestors 'none'"
    )


def test_no_cors_headers_for_another_origin(client):
    response = client.get("/api/v1/units", headers={"Origin": "https://evil.example"})
    preflight = client.options(
        "/api/v1/units",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )

    for answer in (response, preflight):
        assert not any(name.lower().startswith("access-control-") for name in answer.headers.keys())
