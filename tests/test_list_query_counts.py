"""No list endpoint runs a query per item: the statement count of a page with 2 items
equals that of a page with 8 (an N+1 query fails here, not in a benchmark)."""

from datetime import UTC, datetime, timedelta

import pytest

from api.extensions import db
from api.hours.models import ServiceRecord

NOW = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)


def _statements(client, count_queries, url, headers=None) -> int:
    # The request shares the test's session: what the test last read would come from it.
    db.session.expire_all()
    with count_queries() as counted:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, response.get_json()
    return counted.n


@pytest.fixture
def signed_up(client, create_activity, create_user, auth_headers, frozen_clock):
    """``grow(n)``: n more activities, each with the volunteer signed up (some waitlisted,
    behind another person), and the volunteer's headers."""
    frozen_clock(NOW)
    volunteer, other = create_user(), create_user()
    mine, theirs = auth_headers(volunteer), auth_headers(other)

    made = []

    def grow(count: int) -> dict:
        for number in range(len(made), len(made) + count):
            made.append(number)
            activity = create_activity(
                starts_at=NOW + timedelta(days=2, hours=3 * number), capacity=1
            )
            if number % 2:  # the other person takes the place: the volunteer waits
                client.post(f"/api/v1/activities/{activity.id}/signups", json={}, headers=theirs)
            assert (
                client.post(
                    f"/api/v1/activities/{activity.id}/signups", json={}, headers=mine
                ).status_code
                == 201
            )
        return mine

    grow.volunteer = volunteer
    return grow


def test_my_signups(client, count_queries, signed_up):
    headers = signed_up(2)
    few = _statements(client, count_queries, "/api/v1/me/signups", headers)
    signed_up(6)
    many = _statements(client, count_queries, "/api/v1/me/signups", headers)
    listed = client.get("/api/v1/me/signups", headers=headers).get_json()["data"]

    assert many == few
    # Every other activity has one place, taken by the other person: the volunteer is first
    # in its queue; the filled-in positions equal the per-item answer.
    assert (
        sorted((item["status"], item["waitlist_position"]) for item in listed)
        == [("confirmed", None)] * 4 + [("waitlisted", 1)] * 4
    )


def test_calendar_list(client, count_queries, signed_up):
    url = "/api/v1/activities?start=2026-12-12&end=2026-12-14"
    signed_up(2)
    few = _statements(client, count_queries, url)
    signed_up(6)
    many = _statements(client, count_queries, url)
    assert many == few


def test_my_hours_and_records(
    client, count_queries, create_user, auth_headers, corpus_units, frozen_clock
):
    frozen_clock(NOW)
    volunteer = create_user()
    admin = create_user("jl-hours-admin", roles=[("unit_admin", "LY-JL")])
    unit_id = corpus_units["LY-JL"].id

    def add(count: int) -> None:
        db.session.add_all(
            ServiceRecord(
                user_id=volunteer.id,
                unit_id=unit_id,
                credited_minutes=60,
                source="manual",
                status="approved",
                category="医疗健身",
                served_at=NOW - timedelta(days=number + 1),
            )
            for number in range(count)
        )
        db.session.commit()

    add(2)
    counts = [
        _statements(client, count_queries, "/api/v1/me/hours", auth_headers(volunteer)),
        _statements(
            client, count_queries, f"/api/v1/hours/records?unit_id={unit_id}", auth_headers(admin)
        ),
    ]
    add(6)
    assert [
        _statements(client, count_queries, "/api/v1/me/hours", auth_headers(volunteer)),
        _statements(
            client, count_queries, f"/api/v1/hours/records?unit_id={unit_id}", auth_headers(admin)
        ),
    ] == counts


def test_units_and_teams(client, count_queries, corpus_units):
    few = [
        _statements(client, count_queries, "/api/v1/units?per_page=2"),
        _statements(client, count_queries, "/api/v1/teams?per_page=2"),
    ]
    many = [
        _statements(client, count_queries, "/api/v1/units?per_page=20"),
        _statements(client, count_queries, "/api/v1/teams?per_page=20"),
    ]
    assert many == few


def test_a_signed_in_request_reads_user_roles_profile_and_session_in_one_statement(
    client, count_queries, create_user, auth_headers, corpus_units
):
    person = create_user("county-admin-reads", roles=[("unit_admin", "LY"), ("editor", "LY")])
    headers = auth_headers(person)

    statements = _statements(client, count_queries, "/api/v1/me", headers)

    # One for the user with roles, profile and session; one for /me's no-show count.
    assert statements == 2
