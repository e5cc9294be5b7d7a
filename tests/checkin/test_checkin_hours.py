"""Check-out and the hours it credits (DESIGN §4 invariant 4), and staff entries."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from api.audit.models import AuditEntry
from api.checkin.services import credited_minutes
from api.extensions import db
from api.hours.models import ServiceRecord
from api.signups.models import Attendance


def _checked_in(scan, checkin_token, activity, person, near, *, minutes_ago: float):
    """Check ``person`` in, then move the stored check-in time ``minutes_ago`` back."""
    assert scan(activity, person.headers, checkin_token(activity), **near).status_code == 201
    attendance = db.session.scalar(select(Attendance))
    attendance.checked_in_at -= timedelta(minutes=minutes_ago)
    db.session.commit()
    return attendance


@pytest.mark.parametrize(("minutes_ago", "credited"), [(75.9, 75), (0.5, 0), (300, 120)])
def test_check_out_credits_the_minutes_present_capped_at_the_plan(
    running_activity, participant, checkin_token, scan, near, minutes_ago, credited
):
    activity = running_activity()  # two hours planned
    person = participant(activity)
    _checked_in(scan, checkin_token, activity, person, near, minutes_ago=minutes_ago)

    response = scan(activity, person.headers, checkin_token(activity), "checkouts", **near)

    assert response.status_code == 200
    body = response.get_json()
    assert body["service_record"]["credited_minutes"] == credited
    assert body["attendance"]["checked_out_at"] is not None
    record = db.session.scalar(select(ServiceRecord))
    assert (record.user_id, record.activity_id, record.unit_id) == (
        person.user.id,
        activity.id,
        activity.unit_id,
    )
    assert (record.source, record.status, record.credited_minutes) == (
        "checkin",
        "pending",
        credited,
    )


def test_credited_minutes_are_floored_never_rounded_up():
    checked_in = datetime(2026, 5, 1, 7, 0, tzinfo=UTC)
    assert credited_minutes(checked_in, checked_in + timedelta(seconds=59.999), 120) == 0
    assert credited_minutes(checked_in, checked_in + timedelta(minutes=89, seconds=59), 120) == 89
    assert credited_minutes(checked_in, checked_in + timedelta(hours=3), 120) == 120


def test_check_out_is_audited(running_activity, participant, checkin_token, scan, near):
    activity = running_activity()
    person = participant(activity)
    _checked_in(scan, checkin_token, activity, person, near, minutes_ago=30)

    scan(activity, person.headers, checkin_token(activity), "checkouts", **near)

    record = db.session.scalar(select(ServiceRecord))
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "service_record.create")
    )
    assert entry.actor_id == person.user.id
    assert entry.entity_id == str(record.id)
    assert entry.details["credited_minutes"] == 30


def test_check_out_without_check_in_is_refused(
    running_activity, participant, checkin_token, scan, near
):
    activity = running_activity()
    person = participant(activity)

    response = scan(activity, person.headers, checkin_token(activity), "checkouts", **near)

    assert response.status_code == 409
    assert response.get_json()["error"] == "not_checked_in"


def test_a_second_check_out_is_refused_and_credits_nothing(
    running_activity, participant, checkin_token, scan, near
):
    activity = running_activity()
    person = participant(activity)
    _checked_in(scan, checkin_token, activity, person, near, minutes_ago=20)
    scan(activity, person.headers, checkin_token(activity), "checkouts", **near)

    response = scan(activity, person.headers, checkin_token(activity), "checkouts", **near)

    assert response.status_code == 409
    assert response.get_json()["error"] == "already_checked_out"
    assert len(db.session.scalars(select(ServiceRecord)).all()) == 1


def test_check_out_without_a_signup_is_refused(
    create_user, auth_headers, running_activity, checkin_token, scan, near
):
    activity = running_activity()

    response = scan(
        activity, auth_headers(create_user()), checkin_token(activity), "checkouts", **near
    )

    assert response.get_json()["error"] == "not_signed_up"


def test_check_out_checks_the_fence_too(
    running_activity, participant, checkin_token, scan, near, far
):
    activity = running_activity(geofence_metres=500)
    person = participant(activity)
    _checked_in(scan, checkin_token, activity, person, near, minutes_ago=20)

    response = scan(activity, person.headers, checkin_token(activity), "checkouts", **far)

    assert response.get_json()["error"] == "outside_geofence"


def test_staff_check_in_is_recorded_and_audited_with_the_reason(
    client, organizer, running_activity, participant
):
    activity = running_activity()
    person = participant(activity)

    response = client.post(
        f"/api/v1/activities/{activity.id}/checkins/staff",
        json={"user_id": person.user.id, "reason": "手机没电，现场核实身份"},
        headers=organizer.headers,
    )

    assert response.status_code == 201
    assert response.get_json()["method"] == "staff"
    attendance = db.session.scalar(select(Attendance))
    assert attendance.recorded_by_id == organizer.user.id
    assert attendance.reason == "手机没电，现场核实身份"
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "attendance.staff_checkin")
    )
    assert entry.actor_id == organizer.user.id
    assert entry.reason == "手机没电，现场核实身份"
    assert entry.details["user_id"] == person.user.id
    roster = client.get(
        f"/api/v1/activities/{activity.id}/roster", headers=organizer.headers
    ).get_json()
    assert roster["signups"][0]["attendance"]["method"] == "staff"


def test_staff_check_out_credits_hours_and_is_audited(
    client, organizer, running_activity, participant
):
    activity = running_activity()
    person = participant(activity)
    entry = {"user_id": person.user.id, "reason": "老人不会用手机"}
    client.post(
        f"/api/v1/activities/{activity.id}/checkins/staff", json=entry, headers=organizer.headers
    )
    attendance = db.session.scalar(select(Attendance))
    attendance.checked_in_at -= timedelta(minutes=45)
    db.session.commit()

    response = client.post(
        f"/api/v1/activities/{activity.id}/checkouts/staff", json=entry, headers=organizer.headers
    )

    assert response.status_code == 200
    assert response.get_json()["service_record"]["credited_minutes"] == 45
    audit = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "service_record.create")
    )
    assert (audit.actor_id, audit.reason) == (organizer.user.id, "老人不会用手机")


def test_staff_check_in_is_for_organizers_in_scope(
    client, create_user, auth_headers, running_activity, participant
):
    activity = running_activity()
    person = participant(activity)
    outsider = auth_headers(create_user("cg-admin", roles=[("unit_admin", "LY-CG")]))

    for headers in (person.headers, outsider):
        response = client.post(
            f"/api/v1/activities/{activity.id}/checkins/staff",
            json={"user_id": person.user.id, "reason": "代为签到"},
            headers=headers,
        )
        assert response.status_code == 403
    assert db.session.scalar(select(Attendance)) is None


def test_staff_check_in_of_someone_not_signed_up_is_refused(
    client, create_user, organizer, running_activity
):
    activity = running_activity()
    stranger = create_user()

    response = client.post(
        f"/api/v1/activities/{activity.id}/checkins/staff",
        json={"user_id": stranger.id, "reason": "代为签到"},
        headers=organizer.headers,
    )

    assert response.get_json()["error"] == "not_signed_up"


def test_staff_check_in_needs_a_reason(client, organizer, running_activity, participant):
    activity = running_activity()
    person = participant(activity)

    response = client.post(
        f"/api/v1/activities/{activity.id}/checkins/staff",
        json={"user_id": person.user.id},
        headers=organizer.headers,
    )

    assert response.status_code == 422
    assert "reason" in response.get_json()["errors"]
