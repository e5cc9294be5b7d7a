"""The requester's name, phone and address: encrypted at rest, unmasked only for the
dispatchers in scope and the assigned team, name and phone masked for the requester (who sees
their own address in full), hidden from everyone else; the public board shows category,
township and status only."""

import pytest
from sqlalchemy import select, text

from api.extensions import db
from api.help.models import HelpRequest

PHONE, ADDRESS, CONTACT = "13912345678", "临颍县巨陵镇油坊陈村3组12号", "陈桂兰"  # conftest

UNMASKED = {"contact_name": CONTACT, "phone": PHONE, "address": ADDRESS}
MASKED = {"contact_name": "陈*兰", "phone": "139****5678", "address": ADDRESS}

# Who sees what of a request of 油坊陈村 dispatched to 巨陵镇卫生环保志愿服务队.
VIEWERS = {
    "anonymous": None,
    "other_resident": None,
    "volunteer": None,
    "team_leader": None,
    "other_responder": None,
    "other_station": None,
    "outsider": None,
    "editor": None,
    "requester": MASKED,
    "responder": UNMASKED,
    "station": UNMASKED,
    "institute": UNMASKED,
    "center": UNMASKED,
    "admin": UNMASKED,
}


@pytest.fixture
def dispatched(request_in):
    return request_in("dispatched")


@pytest.mark.parametrize("role", sorted(VIEWERS))
def test_each_role_sees_what_it_may_of_a_request(client, people, dispatched, role):
    person = None if role == "anonymous" else getattr(people, role)
    headers = person.headers if person else {}

    response = client.get(f"/api/v1/help-requests/{dispatched}", headers=headers)

    expected = VIEWERS[role]
    if expected is None:
        assert response.status_code == 404
        assert response.get_json()["error"] == "help_request_not_found"
        assert PHONE not in response.get_data(as_text=True)
        return
    assert response.status_code == 200
    body = response.get_json()
    assert {name: body[name] for name in expected} == expected
    assert body["description"].startswith("家门口的排水沟")


@pytest.mark.parametrize("role", sorted(VIEWERS))
def test_no_list_leaks_the_contact_data(client, people, dispatched, role):
    person = None if role == "anonymous" else getattr(people, role)
    headers = person.headers if person else {}

    for path in (
        "/api/v1/help-requests/board",
        "/api/v1/help-requests",
        "/api/v1/help-requests/assigned",
        "/api/v1/me/help-requests",
        "/api/v1/help-requests?status=dispatched",
    ):
        response = client.get(path, headers=headers)
        page = response.get_data(as_text=True)
        if VIEWERS[role] is not UNMASKED:
            assert PHONE not in page and CONTACT not in page, path
            # The requester's own address is theirs to read; nobody else's list has it.
            assert (ADDRESS in page) <= (
                role == "requester" and path.endswith("/me/help-requests")
            ), path


def test_the_public_board_shows_category_township_and_status_only(client, people, request_in):
    request_in("dispatched")
    request_in("held")

    body = client.get("/api/v1/help-requests/board").get_json()

    assert body["data"] == [
        {
            "id": body["data"][0]["id"],
            "category": "卫生环保",
            "township": "巨陵镇新时代文明实践所",
            "status": "dispatched",
        }
    ]
    assert body["pagination"]["total"] == 1


def test_the_board_filters_by_unit_category_and_status(client, people, request_in, corpus_units):
    request_in("dispatched")

    def total(**query):
        return client.get("/api/v1/help-requests/board", query_string=query).get_json()[
            "pagination"
        ]["total"]

    assert total(unit_id=corpus_units["LY-JL"].id) == 1
    assert total(unit_id=corpus_units["LY-CG"].id) == 0
    assert total(category="医疗健身") == 0
    assert total(status="dispatched") == 1


def test_contact_data_is_encrypted_at_rest(client, dispatched):
    row = db.session.execute(
        text(
            "SELECT contact_name_encrypted, phone_encrypted, phone_hash, address_encrypted "
            "FROM help_requests"
        )
    ).one()

    stored = " ".join(row)
    assert PHONE not in stored and ADDRESS not in stored and CONTACT not in stored
    assert row.phone_encrypted.startswith("v1:")


def test_hotline_staff_find_a_callers_requests_by_the_phone_hash(client, dispatched):
    from api.personal_data import lookup_hash

    found = db.session.scalars(
        select(HelpRequest.id).where(HelpRequest.phone_hash == lookup_hash(PHONE))
    )

    assert list(found) == [dispatched]


def test_the_previous_team_loses_the_data_on_redispatch(client, people, teams, act, dispatched):
    act(people.institute, dispatched, "redispatch", team_id=teams["T-JL-01"].id)

    assert (
        client.get(
            f"/api/v1/help-requests/{dispatched}", headers=people.responder.headers
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/v1/help-requests/{dispatched}", headers=people.other_responder.headers
        ).get_json()["phone"]
        == PHONE
    )


def test_the_requester_does_not_see_the_moderation_verdict(client, people, dispatched):
    body = client.get(
        f"/api/v1/help-requests/{dispatched}", headers=people.requester.headers
    ).get_json()

    assert body["moderation"] is None
    assert body["viewer_role"] == "requester"
