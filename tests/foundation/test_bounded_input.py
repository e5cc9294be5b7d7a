"""Bounded input: body size, sign-in before a body is read, 64-bit ids, dates of this era,
query length and list sizes. Each answer is a 4xx envelope, never a 500."""

import io

import marshmallow as ma
import pytest
from marshmallow import fields

from api.families.consent import CONSENT_VERSION
from api.validation import LIST_MAX_ITEMS, Schema

TOO_BIG_ID = 2**63
UPLOAD = "/api/v1/articles/some-article/images"


class ReadCounter(io.RawIOBase):
    """A request body of ``size`` bytes that counts how many were read."""

    def __init__(self, size: int) -> None:
        self.size, self.read_bytes = size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.size - self.read_bytes)
        buffer[:count] = b"x" * count
        self.read_bytes += count
        return count


def _upload(client, size: int, headers: dict | None = None):
    body = ReadCounter(size)
    response = client.post(
        UPLOAD,
        headers=headers,
        environ_overrides={
            "wsgi.input": body,
            "CONTENT_LENGTH": str(size),
            "CONTENT_TYPE": "multipart/form-data; boundary=xyz",
        },
    )
    return response, body


def test_an_anonymous_30_mb_upload_is_refused_before_its_body_is_read(client, assert_envelope):
    response, body = _upload(client, 30 * 1024 * 1024)

    assert_envelope(response, 401, "unauthorized")
    assert body.read_bytes == 0


def test_a_body_over_max_content_length_is_413_unread(make_app, request, assert_envelope):
    client = make_app(MAX_CONTENT_LENGTH=64 * 1024).test_client()
    editor = request.getfixturevalue("create_user")(roles=[("editor", None)])
    headers = request.getfixturevalue("auth_headers")(editor)

    response, body = _upload(client, 65 * 1024, headers)

    assert_envelope(response, 413, "payload_too_large")
    assert body.read_bytes == 0


def test_the_default_max_content_length_is_10_mb(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/activities/{TOO_BIG_ID}",
        f"/api/v1/units/{TOO_BIG_ID}",
        f"/api/v1/activities/{2**63 - 1}",
        f"/api/v1/activities/{2**31}",
        f"/api/v1/activities/{2**31 - 1}",
    ],
)
def test_a_path_id_beyond_the_id_columns_is_404(client, assert_envelope, path):
    assert_envelope(client.get(path), 404)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"unit_id": TOO_BIG_ID}, "unit_id"),
        ({"unit_id": -TOO_BIG_ID - 1}, "unit_id"),
        ({"unit_id": 2**31}, "unit_id"),
        ({"start": "0001-01-01"}, "start"),
        ({"end": "9999-12-31"}, "end"),
    ],
)
def test_query_values_beyond_what_the_database_holds_are_422(client, assert_envelope, query, field):
    body = assert_envelope(client.get("/api/v1/activities", query_string=query), 422)

    assert field in body["errors"]


@pytest.mark.parametrize("month", ["0000-01", "1899-12", "2200-01"])
def test_a_month_outside_this_era_is_422(client, assert_envelope, month):
    body = assert_envelope(
        client.get("/api/v1/activities/calendar", query_string={"month": month}), 422
    )
    assert "month" in body["errors"]


def test_a_body_id_beyond_the_id_columns_is_422(client, create_user, auth_headers, assert_envelope):
    body = {"real_name": "张小三", "phone": "13812345678", "unit_id": TOO_BIG_ID}

    response = client.put("/api/v1/me/volunteer", json=body, headers=auth_headers(create_user()))

    assert "unit_id" in assert_envelope(response, 422)["errors"]


def test_a_family_sign_up_of_an_activity_id_beyond_the_id_columns_is_422(
    client, create_user, auth_headers, assert_envelope
):
    headers = auth_headers(create_user())
    child = {
        "real_name": "王小明",
        "birth_date": "2015-05-05",
        "consent": True,
        "consent_version": CONSENT_VERSION,
    }
    member = client.post("/api/v1/me/family", json=child, headers=headers).get_json()

    response = client.post(
        f"/api/v1/me/family/{member['id']}/signups",
        json={"activity_id": TOO_BIG_ID},
        headers=headers,
    )

    assert "activity_id" in assert_envelope(response, 422)["errors"]


def test_every_schema_of_the_api_is_bounded(app):
    """Every schema of ``api`` derives from ``api.validation.Schema`` (bounds, unknown
    fields refused, Chinese messages), none from marshmallow's own."""
    found, todo = [], [ma.Schema]
    while todo:
        for cls in todo.pop().__subclasses__():
            found.append(cls)
            todo.append(cls)

    assert [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in found
        if cls.__module__.startswith("api.") and cls is not Schema and not issubclass(cls, Schema)
    ] == []


@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/search/suggest"])
def test_a_search_query_over_100_characters_is_422(client, assert_envelope, path):
    body = assert_envelope(client.get(path, query_string={"q": "义" * 101}), 422)
    assert "q" in body["errors"]


def test_lists_longer_than_the_cap_are_refused():
    class Bulk(Schema):
        ids = fields.List(fields.Integer())

    assert Bulk().validate({"ids": list(range(LIST_MAX_ITEMS))}) == {}
    assert "ids" in Bulk().validate({"ids": list(range(LIST_MAX_ITEMS + 1))})
    assert "ids" in Bulk().validate({"ids": [1, TOO_BIG_ID]})


def test_per_page_is_capped(client, assert_envelope):
    assert_envelope(client.get("/api/v1/activities", query_string={"per_page": 101}), 422)


def test_activities_link_keeps_a_query_string_as_data(client):
    response = client.get("/app/activities?_method=POST&theme=health")

    assert response.status_code == 302
    assert response.headers["Location"] == "/app/?_method=POST&theme=health"
