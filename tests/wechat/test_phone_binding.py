"""``POST /api/v1/me/phone``: a volunteer's phone from getuserphonenumber, watermark checked."""

import pytest

from api.extensions import db
from api.personal_data import decrypt


@pytest.fixture
def registered(client, corpus_units, create_user, auth_headers):
    """A registered volunteer and their headers."""
    user = create_user()
    headers = auth_headers(user)
    response = client.put(
        "/api/v1/me/volunteer",
        headers=headers,
        json={
            "real_name": "张晓明",
            "phone": "13812345678",
            "unit_id": corpus_units["LY-JL"].id,
        },
    )
    assert response.status_code == 200, response.get_json()
    return user, headers


def _bind(client, headers, code):
    return client.post("/api/v1/me/phone", headers=headers, json={"code": code})


def _stored_phone(user) -> str:
    db.session.expire_all()
    return decrypt(user.volunteer.phone_encrypted)


def test_verified_phone_replaces_the_volunteer_phone(client, registered):
    user, headers = registered

    response = _bind(client, headers, "phone-13987654321")

    assert response.status_code == 200
    assert response.get_json() == {"phone": "139****4321"}
    assert _stored_phone(user) == "13987654321"


def test_phone_of_another_mini_program_is_refused(client, registered):
    user, headers = registered

    response = _bind(client, headers, "other-app-13987654321")

    assert response.status_code == 400
    assert response.get_json()["error"] == "phone_not_verified"
    assert _stored_phone(user) == "13812345678"


def test_used_code_is_refused(client, registered):
    _, headers = registered
    _bind(client, headers, "phone-13987654321")

    response = _bind(client, headers, "phone-13987654321")

    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_phone_code"


def test_residents_register_as_volunteers_first(client, create_user, auth_headers):
    response = _bind(client, auth_headers(create_user()), "phone-13987654321")

    assert response.status_code == 409
    assert response.get_json()["error"] == "not_a_volunteer"


def test_wechat_down_is_503(client, registered, stub):
    _, headers = registered
    stub.fail_next("getuserphonenumber", status=503, times=3)

    response = _bind(client, headers, "phone-13987654321")

    assert response.status_code == 503
    assert response.get_json()["error"] == "wechat_unavailable"


def test_signed_out_is_401(client):
    assert _bind(client, {}, "phone-13987654321").status_code == 401


def test_a_new_verified_phone_signs_out_the_other_sessions(client, registered, auth_headers):
    user, headers = registered
    other_session = auth_headers(user)

    assert _bind(client, headers, "phone-13987654321").status_code == 200

    assert client.get("/api/v1/me", headers=other_session).status_code == 401
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_the_same_verified_phone_keeps_the_other_sessions(client, registered, auth_headers):
    user, headers = registered
    other_session = auth_headers(user)

    assert _bind(client, headers, "phone-13812345678").status_code == 200

    assert client.get("/api/v1/me", headers=other_session).status_code == 200
