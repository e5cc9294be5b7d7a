"""The ``/app/`` routes without a browser: cache headers, the security policy, feature
detection, the one-event ``.ics`` and the check-in QR code."""

import re

import pytest

from api.web.views import FEATURES, PAGES


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/app/static/[^"]+)"', html)


def test_a_page_is_revalidated_and_locked_down(client):
    response = client.get("/app/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-cache"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert '<html lang="zh-CN">' in response.get_data(as_text=True)


def test_static_files_are_immutable_under_their_version(client):
    html = client.get("/app/").get_data(as_text=True)
    urls = _static_urls(html)
    assert any(url.endswith("/css/app.css") for url in urls)
    assert any(url.endswith("/js/pages/calendar.js") for url in urls)
    for url in urls:
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get(next(url for url in urls if url.endswith(".js"))) as script:
        assert script.mimetype in ("text/javascript", "application/javascript")


def test_an_old_version_is_still_served_but_revalidated(client):
    with client.get("/app/static/000000000000/css/app.css") as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"
    assert client.get("/app/static/000000000000/css/missing.css").status_code == 404
    assert client.get("/app/static/000000000000/../views.py").status_code == 404


def test_the_page_config_names_the_available_features(client, app):
    html = client.get("/app/me").get_data(as_text=True)
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    for name, path in FEATURES.items():
        assert f'"{name}": {"true" if path in rules else "false"}' in html


@pytest.mark.parametrize("endpoint", sorted(PAGES))
def test_a_page_exists_exactly_when_its_api_does(client, app, endpoint):
    page = PAGES[endpoint]
    if endpoint == "activity":
        path = "/app/activities/1"
    else:
        with app.test_request_context():
            from flask import url_for

            path = url_for(f"web.{endpoint}")
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    available = not page.feature or FEATURES[page.feature] in rules
    assert client.get(path).status_code == (200 if available else 404)


def test_the_sites_activities_link_opens_the_calendar(client):
    response = client.get("/app/activities?theme=health")
    assert response.status_code == 302
    assert response.headers["Location"] == "/app/?theme=health"


def test_an_activity_downloads_as_one_ics_event(client, create_activity):
    activity = create_activity(title="义诊进乡村, 测血压")
    response = client.get(f"/app/activities/{activity.id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.count("BEGIN:VEVENT") == 1
    assert "SUMMARY:义诊进乡村\\, 测血压" in body


def test_a_draft_activity_has_no_ics(client, create_activity):
    draft = create_activity(status="draft")
    response = client.get(f"/app/activities/{draft.id}.ics")
    assert response.status_code == 404
    assert response.get_json()["message"]


def test_the_checkin_qr_code_is_a_scalable_svg_of_the_checkin_url(client):
    response = client.get("/app/checkin/qr.svg?activity=7&token=abc.DEF-123_x")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == "no-store"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg") and 'viewBox="0 0 ' in svg and "width=" not in svg


@pytest.mark.parametrize(
    "query", ["activity=7", "token=abc", "activity=x&token=abc", "activity=7&token=<script>"]
)
def test_the_checkin_qr_code_needs_an_activity_and_a_plain_token(client, query):
    assert client.get(f"/app/checkin/qr.svg?{query}").status_code == 404


def test_the_pages_stay_out_of_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert not [path for path in paths if path.startswith("/app")]
