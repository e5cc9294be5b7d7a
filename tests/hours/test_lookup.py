"""The public lookup: masked answer, identical failures, no decryption, a rate limit."""

import pytest

from api.accounts.services import register_volunteer
from api.extensions import db
from api.hours.models import HoursLookupKey, RecordStatus

URL = "/api/v1/hours/lookup"


def _volunteer_with_hours(volunteer, past_activity, add_record, id_number, minutes=150):
    person = volunteer("张小三", phone="13912345678", id_number=id_number)
    add_record(person, past_activity(), minutes, status=RecordStatus.APPROVED)
    add_record(person, past_activity(days_ago=2), 60)  # pending: not counted
    return person


def test_lookup_by_name_and_id_digits_answers_masked(
    client, volunteer, past_activity, add_record, make_id
):
    id_number = make_id()
    _volunteer_with_hours(volunteer, past_activity, add_record, id_number)

    response = client.post(URL, json={"name": "张小三", "id_last4": id_number[-4:]})

    assert response.status_code == 200
    assert response.get_json() == {
        "name": "张*三",
        "total_minutes": 150,
        "total_hours": 2.5,
        "star": {
            "level": 0,
            "next_level_hours": 100,
            "hours_to_next": 97.5,
            "minutes_to_next": 5850,
        },
    }


def test_lookup_by_phone_digits(client, volunteer, past_activity, add_record, make_id):
    _volunteer_with_hours(volunteer, past_activity, add_record, make_id())
    response = client.post(URL, json={"name": " 张小三 ", "phone_last4": "5678"})
    assert response.status_code == 200
    assert response.get_json()["total_minutes"] == 150


def test_no_match_and_wrong_digits_look_the_same(
    client, volunteer, past_activity, add_record, make_id
):
    id_number = make_id()
    _volunteer_with_hours(volunteer, past_activity, add_record, id_number)
    wrong_digit = "0" if id_number[-1] != "0" else "1"

    wrong = client.post(URL, json={"name": "张小三", "id_last4": id_number[-4:-1] + wrong_digit})
    unknown = client.post(URL, json={"name": "李四", "id_last4": id_number[-4:]})
    wrong_phone = client.post(URL, json={"name": "张小三", "phone_last4": "0000"})

    assert wrong.status_code == unknown.status_code == wrong_phone.status_code == 404
    assert wrong.get_data() == unknown.get_data() == wrong_phone.get_data()
    assert wrong.get_json()["error"] == "lookup_no_match"
    # Alike but for the request id every answer carries.
    assert {name: value for name, value in wrong.headers.items() if name != "X-Request-ID"} == {
        name: value for name, value in unknown.headers.items() if name != "X-Request-ID"
    }


def test_two_volunteers_with_the_same_name_and_digits_match_nobody(
    client, volunteer, past_activity, add_record, make_id
):
    volunteer("王芳", phone="13800001111", id_number=make_id(sequence="201"))
    volunteer("王芳", phone="13900001111", id_number=make_id(sequence="202"))
    response = client.post(URL, json={"name": "王芳", "phone_last4": "1111"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "lookup_no_match"


def test_the_lookup_decrypts_nobody(
    client, volunteer, past_activity, add_record, make_id, monkeypatch
):
    id_number = make_id()
    _volunteer_with_hours(volunteer, past_activity, add_record, id_number)
    for number in range(5):
        volunteer(f"路人{number}")

    def refuse(token):
        raise AssertionError("the lookup must not decrypt personal data")

    monkeypatch.setattr("api.personal_data.decrypt", refuse)
    monkeypatch.setattr("api.hours.lookup.decrypt", refuse)
    response = client.post(URL, json={"name": "张小三", "id_last4": id_number[-4:]})
    assert response.status_code == 200


def test_keys_follow_a_changed_profile(
    client, volunteer, past_activity, add_record, make_id, corpus_units
):
    person = _volunteer_with_hours(volunteer, past_activity, add_record, make_id())
    register_volunteer(
        person.user, real_name="张晓三", phone="13912340000", unit_id=corpus_units["LY-JL"].id
    )

    old = client.post(URL, json={"name": "张小三", "phone_last4": "5678"})
    new = client.post(URL, json={"name": "张晓三", "phone_last4": "0000"})
    assert old.status_code == 404
    assert new.status_code == 200
    assert db.session.get(HoursLookupKey, person.id).name_id_digest is None


def test_keys_are_keyed_hashes_not_the_data(volunteer, make_id):
    id_number = make_id()
    person = volunteer("张小三", phone="13912345678", id_number=id_number)
    key = db.session.get(HoursLookupKey, person.id)
    stored = f"{key.name_id_digest}{key.name_phone_digest}"
    assert len(key.name_id_digest) == len(key.name_phone_digest) == 64
    assert "张" not in stored and id_number[-4:] not in stored and "5678" not in stored


def test_rebuilding_the_keys_restores_them(runner, volunteer, make_id):
    id_number = make_id()
    person = volunteer("张小三", phone="13912345678", id_number=id_number)
    original = db.session.get(HoursLookupKey, person.id).name_id_digest
    db.session.delete(db.session.get(HoursLookupKey, person.id))
    db.session.commit()

    result = runner.invoke(args=["hours", "rebuild-lookup-keys"])

    assert result.exit_code == 0, result.output
    assert "1" in result.output
    assert db.session.get(HoursLookupKey, person.id).name_id_digest == original


@pytest.mark.parametrize(
    "query",
    [
        {"name": "张小三"},
        {"name": "张小三", "id_last4": "12345"},
        {"name": "张小三", "phone_last4": "12a4"},
        {"name": "张小三", "id_last4": "1234", "phone_last4": "1234"},
        {"id_last4": "1234"},
    ],
)
def test_bad_queries_are_field_errors(client, query):
    response = client.post(URL, json=query)
    assert response.status_code == 422
    assert response.get_json()["errors"]


@pytest.fixture
def limited_client(make_app):
    return make_app(RATELIMIT_ENABLED=True, HOURS_LOOKUP_RATE_LIMIT="3 per minute").test_client()


def test_the_lookup_is_rate_limited_per_client(limited_client):
    query = {"name": "张小三", "phone_last4": "5678"}
    answers = [limited_client.post(URL, json=query) for _ in range(4)]
    other_client = limited_client.post(URL, json=query, environ_base={"REMOTE_ADDR": "10.1.2.3"})

    assert [answer.status_code for answer in answers] == [404, 404, 404, 429]
    body = answers[3].get_json()
    assert set(body) == {"code", "status", "error", "message", "errors"}
    assert (body["code"], body["error"]) == (429, "rate_limited")
    assert "Retry-After" in answers[3].headers
    assert other_client.status_code == 404
