"""The one error envelope (DESIGN §5, STYLE rule 4), with Chinese messages."""

import psycopg
import pytest
from flask import abort
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import default_exceptions

from api.extensions import db


def test_routing_404_is_the_envelope(client, assert_envelope):
    response = client.get("/api/v1/no-such-endpoint")

    body = assert_envelope(response, 404, "not_found")
    assert body == {
        "code": 404,
        "status": "Not Found",
        "error": "not_found",
        "message": "请求的资源不存在",
        "errors": {},
    }


def test_405_is_the_envelope_and_names_the_allowed_methods(client, assert_envelope):
    response = client.delete("/api/v1/units")

    assert_envelope(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_400_with_a_chinese_body_message(client, assert_envelope):
    response = client.post(
        "/api/v1/auth/password", data='{"username": "a",', content_type="application/json"
    )

    body = assert_envelope(response, 400, "bad_request")
    assert list(body["errors"]) == ["_schema"]


def test_json_that_is_not_an_object_is_422(client, assert_envelope):
    response = client.post("/api/v1/auth/password", json=["admin", "secret"])

    body = assert_envelope(response, 422, "validation_error")
    assert body["errors"] == {"_schema": ["请求体应为 JSON 对象"]}


def test_a_view_that_raises_gives_500_without_leaking_the_exception(make_app, assert_envelope):
    app = make_app(own=True, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get("/api/v1/_test/explode")
    def explode():
        raise RuntimeError("secret internals 42")

    response = app.test_client().get("/api/v1/_test/explode")

    assert_envelope(response, 500, "internal_error")
    assert b"secret internals" not in response.data


@pytest.mark.parametrize(
    ("invalidated", "status", "error"),
    [(True, 503, "service_unavailable"), (False, 500, "internal_error")],
)
def test_a_lost_database_connection_is_503_and_asks_for_a_retry(
    make_app, assert_envelope, invalidated, status, error
):
    app = make_app(own=True, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get("/api/v1/_test/database")
    def database():
        raise OperationalError(
            "SELECT 1",
            {},
            Exception("server closed the connection"),
            connection_invalidated=invalidated,
        )

    response = app.test_client().get("/api/v1/_test/database")

    assert_envelope(response, status, error)
    assert (response.headers.get("Retry-After") == "1") is invalidated
    assert b"server closed" not in response.data


def test_every_werkzeug_http_error_is_the_envelope(make_app, assert_envelope):
    app = make_app(own=True)
    client = app.test_client()

    @app.get("/api/v1/_test/abort/<int:code>")
    def abort_with(code):
        abort(code)

    for code in sorted(default_exceptions):
        assert_envelope(client.get(f"/api/v1/_test/abort/{code}"), code)


def test_wrong_type_names_the_field_in_chinese(client, assert_envelope):
    response = client.post("/api/v1/auth/password", json={"username": 12, "password": "x"})

    body = assert_envelope(response, 422, "validation_error")
    assert body["message"] == "提交的数据有误，请检查后重试"
    assert body["errors"] == {"username": ["应为文本"]}


def test_missing_field_names_the_field_in_chinese(client, assert_envelope):
    response = client.post("/api/v1/auth/password", json={"username": "admin"})

    body = assert_envelope(response, 422, "validation_error")
    assert body["errors"] == {"password": ["此项为必填项"]}


def test_unknown_field_is_rejected_in_chinese(client, assert_envelope):
    response = client.post(
        "/api/v1/auth/password", json={"username": "admin", "password": "x", "remember": True}
    )

    body = assert_envelope(response, 422, "validation_error")
    assert body["errors"] == {"remember": ["未知字段"]}


def test_bad_query_arguments_name_each_field(client, assert_envelope):
    response = client.get("/api/v1/units?level=village&page=first")

    body = assert_envelope(response, 422, "validation_error")
    assert set(body["errors"]) == {"level", "page"}
    assert body["errors"]["page"] == ["应为整数"]


def test_domain_error_has_its_own_reason(client, assert_envelope):
    response = client.get("/api/v1/units/987654")

    body = assert_envelope(response, 404, "unit_not_found")
    assert body["message"] == "单位不存在"


def test_missing_login_is_401_envelope(client, assert_envelope):
    assert_envelope(client.get("/api/v1/me"), 401, "unauthorized")


def test_a_connection_the_database_dropped_fails_one_request_and_the_pool_reconnects(
    make_app, create_user, auth_headers, assert_envelope
):
    app = make_app(own=True, TESTING=False, PROPAGATE_EXCEPTIONS=False)
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a SQLite file has no server to drop a connection")
    client = app.test_client()
    headers = auth_headers(create_user())
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    # The one pooled connection of this app, dropped by the server (as a restart would).
    backend = db.session.connection().connection.dbapi_connection.info.backend_pid
    db.session.remove()
    with psycopg.connect(
        db.engine.url.set(drivername="postgresql").render_as_string(False)
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (backend,))

    lost = client.get("/api/v1/me", headers=headers)
    db.session.remove()  # a served request ends its own app context and session; a test's stays
    again = client.get("/api/v1/me", headers=headers)

    assert_envelope(lost, 503, "service_unavailable")
    assert again.status_code == 200
