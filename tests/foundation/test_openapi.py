"""OpenAPI document, the docs page (no CDN) and the health check."""

import re
from urllib.parse import urlsplit

FOUNDATION_PATHS = {
    "/api/v1/auth/wechat": {"post"},
    "/api/v1/auth/password": {"post"},
    "/api/v1/me": {"get"},
    "/api/v1/me/volunteer": {"put"},
    "/api/v1/units": {"get"},
    "/api/v1/units/{unit_id}": {"get", "patch"},
    "/api/v1/teams": {"get", "post"},
    "/api/v1/teams/{team_id}": {"patch"},
    "/api/v1/jobs/{job_id}": {"get"},
}


def test_openapi_document_is_openapi_3(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.")


def test_openapi_document_lists_the_foundation_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    for path, methods in FOUNDATION_PATHS.items():
        assert methods <= set(paths[path]), path


def test_every_operation_has_a_summary(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    for path, methods in FOUNDATION_PATHS.items():
        for method in methods:
            assert paths[path][method].get("summary"), (method, path)


def test_docs_page_loads(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "/api/v1/openapi.json" in response.get_data(as_text=True)


def test_docs_page_loads_its_assets_from_our_own_origin(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)

    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert len(assets) >= 2  # Swagger UI's script and style sheet
    assert not re.search(r"cdn|unpkg|jsdelivr|https?://", html, re.IGNORECASE)
    for asset in assets:
        parts = urlsplit(asset)
        assert not parts.scheme and not parts.netloc and asset.startswith("/"), asset
        with client.get(asset) as response:
            assert response.status_code == 200, asset


def test_readyz_is_503_when_the_database_is_unreachable(make_app, tmp_path):
    missing = tmp_path / "missing-dir" / "db.sqlite3"
    broken = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}")

    response = broken.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == "unavailable"
    assert broken.test_client().get("/healthz").status_code == 200  # alive all the same


def test_openapi_document_is_built_once_and_revalidated_by_etag(app, client):
    first = client.get("/api/v1/openapi.json")
    app.extensions["openapi_json"] = (b'{"openapi": "3.0.3", "cached": true}', "cached-etag")

    second = client.get("/api/v1/openapi.json")
    again = client.get("/api/v1/openapi.json", headers={"If-None-Match": '"cached-etag"'})

    assert first.status_code == 200 and first.headers["ETag"]
    assert "public" in first.headers["Cache-Control"]
    assert second.get_json() == {"openapi": "3.0.3", "cached": True}  # served from the cache
    assert (again.status_code, again.data) == (304, b"")


# Partial updates and reviews whose every field is optional: a request may omit the body.
OPTIONAL_BODIES = {
    ("patch", "/api/v1/units/{unit_id}"),
    ("patch", "/api/v1/teams/{team_id}"),
    ("patch", "/api/v1/activities/{activity_id}"),
    ("patch", "/api/v1/activity-series/{series_id}"),
    ("put", "/api/v1/articles/{slug}"),
    ("patch", "/api/v1/merchants/{merchant_id}"),
    ("patch", "/api/v1/rewards/{reward_id}"),
    ("post", "/api/v1/hours/records/{record_id}/approve"),
    ("post", "/api/v1/activities/{activity_id}/service-records/approve"),
    ("put", "/api/v1/units/{unit_id}/certificate-settings"),
    ("post", "/api/v1/me/certificates"),
    ("post", "/api/v1/auth/refresh"),
}


def test_a_body_of_optional_fields_is_documented_as_optional(client):
    """Such a body was documented as required while its absence was accepted (schemathesis
    ST201); the document now says what the API does."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for method, path in OPTIONAL_BODIES:
        assert paths[path][method]["requestBody"].get("required") is False, (method, path)
    assert paths["/api/v1/teams"]["post"]["requestBody"]["required"] is True


def test_a_patch_without_a_body_changes_nothing(client, corpus_units, create_user, auth_headers):
    admin = auth_headers(create_user("root", roles=[("admin", None)]))
    unit = corpus_units["LY-JL"]
    before = client.get(f"/api/v1/units/{unit.id}").get_json()
    response = client.patch(f"/api/v1/units/{unit.id}", headers=admin)
    assert response.status_code == 200 and response.get_json() == before
