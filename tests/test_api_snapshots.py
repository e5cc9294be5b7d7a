"""The JSON answers the mini-program reads, field by field, against tests/snapshots/.

A renamed, removed or added field fails here: the mini-program (clients/miniprogram) reads
these answers. After an intended change of the contract, update the snapshots with
``pytest tests/test_api_snapshots.py --snapshot-update`` and review their diff.
Ids, moments and tokens are normalised (see ``tests/snapshot.py``); the clock is frozen, so
dates and the sign-up window are the same on every run.
"""

from datetime import UTC, datetime, timedelta

import pytest

from api.accounts.services import register_volunteer
from api.extensions import db
from api.hours.models import ServiceRecord

NOW = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)  # 10:00 in China


@pytest.fixture
def volunteer_headers(frozen_clock, create_user, auth_headers, corpus_units):
    """A registered volunteer of 巨陵镇, signed in, at ``NOW``."""
    frozen_clock(NOW)
    user = create_user()
    register_volunteer(
        user, real_name="张小三", phone="13800001234", unit_id=corpus_units["LY-JL"].id
    )
    return user, auth_headers(user)


@pytest.fixture
def activity(frozen_clock, create_activity):
    """The default published activity, tomorrow at 10:00 local time."""
    frozen_clock(NOW)
    return create_activity(starts_at=NOW + timedelta(days=1))


def test_calendar_list(client, activity, snapshot):
    response = client.get("/api/v1/activities?start=2026-06-10&end=2026-06-17")

    assert response.status_code == 200
    snapshot("calendar_list", response.get_json())


def test_activity_detail(client, activity, volunteer_headers, snapshot):
    _, headers = volunteer_headers
    client.post(f"/api/v1/activities/{activity.id}/signups", headers=headers)

    anonymous = client.get(f"/api/v1/activities/{activity.id}")
    signed_in = client.get(f"/api/v1/activities/{activity.id}", headers=headers)

    assert anonymous.status_code == signed_in.status_code == 200
    snapshot("activity_detail", anonymous.get_json())
    snapshot("activity_detail_signed_in", signed_in.get_json())


def test_signup_answer(client, activity, volunteer_headers, snapshot):
    _, headers = volunteer_headers

    response = client.post(f"/api/v1/activities/{activity.id}/signups", headers=headers)

    assert response.status_code == 201
    snapshot("signup_answer", response.get_json())


def test_my_signups(client, activity, volunteer_headers, snapshot):
    _, headers = volunteer_headers
    client.post(f"/api/v1/activities/{activity.id}/signups", headers=headers)

    response = client.get("/api/v1/me/signups", headers=headers)

    assert response.status_code == 200
    snapshot("my_signups", response.get_json())


def test_my_hours(client, create_activity, volunteer_headers, snapshot):
    user, headers = volunteer_headers
    past = create_activity(starts_at=NOW - timedelta(days=3))
    db.session.add(
        ServiceRecord(
            user_id=user.id,
            activity_id=past.id,
            unit_id=past.unit_id,
            credited_minutes=150,
            source="checkin",
            status="approved",
            reviewed_at=NOW - timedelta(days=2),
        )
    )
    db.session.commit()

    response = client.get("/api/v1/me/hours", headers=headers)

    assert response.status_code == 200
    snapshot("my_hours", response.get_json())


def test_error_envelope(client, activity, snapshot):
    anonymous = client.post(f"/api/v1/activities/{activity.id}/signups")
    missing = client.get("/api/v1/activities/999999")
    invalid = client.get("/api/v1/activities?start=tomorrow")

    assert (anonymous.status_code, missing.status_code, invalid.status_code) == (401, 404, 422)
    snapshot("error_unauthorized", anonymous.get_json())
    snapshot("error_not_found", missing.get_json())
    snapshot("error_validation", invalid.get_json())


def test_a_renamed_field_fails_its_snapshot(client, activity, snapshot):
    """The check itself: the stored calendar answer with one field renamed does not pass."""
    body = client.get("/api/v1/activities?start=2026-06-10&end=2026-06-17").get_json()
    body["data"][0]["capacity_renamed"] = body["data"][0].pop("capacity")

    if snapshot.update:
        pytest.skip("the snapshots are being updated")
    with pytest.raises(pytest.fail.Exception, match="capacity"):
        snapshot("calendar_list", body)
