"""Check-in through the API: the venue code, the scan, and every refusal with its reason."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from api.auth.tokens import issue_token
from api.extensions import db
from api.signups.models import Attendance
from api.timeutil import utcnow


def test_checkin_code_is_a_short_lived_token_with_an_svg_qr_code(
    client, organizer, running_activity
):
    activity = running_activity()

    response = client.get(
        f"/api/v1/activities/{activity.id}/checkin-code", headers=organizer.headers
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["token"]
    assert body["qr_svg"].startswith("<svg") and body["qr_svg"].rstrip().endswith("</svg>")
    assert 'xmlns="http://www.w3.org/2000/svg"' in body["qr_svg"]
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert body["expires_at"].endswith("+08:00")
    assert timedelta(0) < expires_at - utcnow() <= timedelta(seconds=60)


def test_checkin_code_is_for_organizers_in_scope(
    client, create_user, auth_headers, running_activity
):
    activity = running_activity()
    resident = auth_headers(create_user())
    elsewhere = auth_headers(create_user("cg-admin", roles=[("unit_admin", "LY-CG")]))

    for headers in (resident, elsewhere):
        response = client.get(f"/api/v1/activities/{activity.id}/checkin-code", headers=headers)
        assert response.status_code == 403


def test_check_in_marks_the_signup_attended_and_the_roster_shows_it(
    client, organizer, running_activity, participant, checkin_token, scan, near
):
    activity = running_activity()
    person = participant(activity)

    response = scan(activity, person.headers, checkin_token(activity), **near)

    assert response.status_code == 201
    attendance = response.get_json()
    assert attendance["method"] == "qr"
    assert attendance["checked_out_at"] is None
    assert 100 <= attendance["distance_metres"] <= 120
    roster = client.get(
        f"/api/v1/activities/{activity.id}/roster", headers=organizer.headers
    ).get_json()
    entry = roster["signups"][0]
    assert entry["status"] == "attended"
    assert entry["attendance"]["method"] == "qr"
    assert entry["attendance"]["distance_metres"] == attendance["distance_metres"]
    assert roster["confirmed_count"] == 1  # attending keeps the place taken


def test_a_second_scan_returns_the_same_attendance(
    client, running_activity, participant, checkin_token, scan, near
):
    activity = running_activity()
    person = participant(activity)

    first = scan(activity, person.headers, checkin_token(activity), **near).get_json()
    again = scan(activity, person.headers, checkin_token(activity), **near)

    assert again.status_code == 201
    assert again.get_json() == first
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1


def test_an_expired_code_is_refused(
    running_activity, participant, checkin_token, scan, frozen_clock, near
):
    activity = running_activity()
    person = participant(activity)
    token = checkin_token(activity)
    frozen_clock.shift(61)  # scanned from a photo a minute later

    response = scan(activity, person.headers, token, **near)

    assert response.status_code == 400
    assert response.get_json()["error"] == "checkin_token_expired"


def test_a_tampered_or_foreign_token_is_invalid(
    app, running_activity, participant, checkin_token, scan, near
):
    activity = running_activity()
    person = participant(activity)
    bearer_token, _ = issue_token(person.user)  # signed with the same key, another salt

    for token in (checkin_token(activity)[:-2] + "xx", bearer_token, "not-a-code"):
        response = scan(activity, person.headers, token, **near)
        assert response.status_code == 400
        assert response.get_json()["error"] == "checkin_token_invalid"


def test_another_activitys_code_is_refused(
    create_activity, running_activity, participant, checkin_token, scan, near
):
    activity = running_activity()
    other = create_activity()
    person = participant(activity)

    response = scan(activity, person.headers, checkin_token(other), **near)

    assert response.status_code == 400
    assert response.get_json()["error"] == "checkin_token_wrong_activity"


@pytest.mark.parametrize("starts_in", [timedelta(minutes=31), -timedelta(hours=2, minutes=31)])
def test_outside_the_window_is_refused(
    create_activity, participant, checkin_token, scan, starts_in, near
):
    activity = create_activity()  # tomorrow: sign up first, then move it
    person = participant(activity)
    activity.starts_at = utcnow() + starts_in
    activity.ends_at = activity.starts_at + timedelta(hours=2)
    db.session.commit()

    response = scan(activity, person.headers, checkin_token(activity), **near)

    assert response.status_code == 409
    assert response.get_json()["error"] == "checkin_window_closed"


def test_thirty_minutes_before_the_start_is_inside_the_window(
    running_activity, participant, checkin_token, scan, near
):
    starts_at = utcnow() + timedelta(minutes=29)
    activity = running_activity(starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
    person = participant(activity)

    response = scan(activity, person.headers, checkin_token(activity), **near)

    assert response.status_code == 201


def test_outside_the_geofence_is_refused(running_activity, participant, checkin_token, scan, far):
    activity = running_activity(geofence_metres=500)
    person = participant(activity)

    response = scan(activity, person.headers, checkin_token(activity), **far)

    assert response.status_code == 403
    assert response.get_json()["error"] == "outside_geofence"


def test_a_fenced_activity_requires_a_location(running_activity, participant, checkin_token, scan):
    activity = running_activity(geofence_metres=500)
    person = participant(activity)

    response = scan(activity, person.headers, checkin_token(activity))

    assert response.status_code == 422
    assert response.get_json()["error"] == "location_required"


def test_an_activity_without_a_fence_takes_any_position(
    running_activity, participant, checkin_token, scan, far
):
    activity = running_activity(geofence_metres=None)
    person = participant(activity)

    response = scan(activity, person.headers, checkin_token(activity), **far)

    assert response.status_code == 201
    assert 1100 <= response.get_json()["distance_metres"] <= 1125


def test_an_activity_without_coordinates_has_no_fence(
    running_activity, participant, checkin_token, scan
):
    activity = running_activity(lat=None, lng=None)
    person = participant(activity)

    response = scan(activity, person.headers, checkin_token(activity))

    assert response.status_code == 201
    assert response.get_json()["distance_metres"] is None


def test_only_one_of_lat_and_lng_is_a_validation_error(
    running_activity, participant, checkin_token, scan
):
    activity = running_activity()
    person = participant(activity)

    response = scan(activity, person.headers, checkin_token(activity), lat=33.77)

    assert response.status_code == 422
    assert "lat" in response.get_json()["errors"]


def test_without_a_signup_checking_in_is_refused(
    client, create_user, auth_headers, running_activity, checkin_token, scan, near
):
    activity = running_activity()

    response = scan(activity, auth_headers(create_user()), checkin_token(activity), **near)

    assert response.status_code == 403
    assert response.get_json()["error"] == "not_signed_up"


def test_a_waitlisted_person_cannot_check_in(
    client, create_user, auth_headers, running_activity, participant, checkin_token, scan, near
):
    activity = running_activity(capacity=1)
    participant(activity)
    waiting = auth_headers(create_user())
    client.post(f"/api/v1/activities/{activity.id}/signups", headers=waiting)

    response = scan(activity, waiting, checkin_token(activity), **near)

    assert response.get_json()["error"] == "not_signed_up"


def test_a_cancelled_activity_refuses_check_in(
    client, organizer, running_activity, participant, checkin_token, scan, near
):
    activity = running_activity()
    person = participant(activity)
    token = checkin_token(activity)
    client.post(
        f"/api/v1/activities/{activity.id}/cancel",
        json={"reason": "暴雨预警"},
        headers=organizer.headers,
    )

    response = scan(activity, person.headers, token, **near)

    assert response.status_code == 409
    assert response.get_json()["error"] == "activity_cancelled"


def test_checking_in_needs_a_signed_in_user(client, running_activity, checkin_token):
    activity = running_activity()
    response = client.post(
        f"/api/v1/activities/{activity.id}/checkins", json={"token": checkin_token(activity)}
    )
    assert response.status_code == 401
