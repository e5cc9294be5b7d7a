"""Concurrent scans of one person credit hours once (the activity's row lock)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from api.extensions import db
from api.hours.models import ServiceRecord
from api.signups.models import Attendance


def _post_concurrently(app, path: str, body: dict, headers: dict, times: int) -> list[int]:
    """POST from ``times`` threads at once, each with its own app context and session."""

    def post(_):
        return app.test_client().post(path, json=body, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(post, range(times)))


def test_concurrent_check_ins_make_one_attendance(
    app, running_activity, participant, checkin_token, near
):
    activity = running_activity()
    person = participant(activity)
    body = {"token": checkin_token(activity), **near}

    statuses = _post_concurrently(
        app, f"/api/v1/activities/{activity.id}/checkins", body, person.headers, 8
    )

    assert statuses == [201] * 8
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 1


def test_concurrent_check_outs_credit_once(
    app, client, running_activity, participant, checkin_token, scan, near
):
    activity = running_activity()
    person = participant(activity)
    scan(activity, person.headers, checkin_token(activity), **near)
    attendance = db.session.scalar(select(Attendance))
    attendance.checked_in_at -= timedelta(minutes=50)
    db.session.commit()
    body = {"token": checkin_token(activity), **near}

    statuses = _post_concurrently(
        app, f"/api/v1/activities/{activity.id}/checkouts", body, person.headers, 8
    )

    assert sorted(statuses) == [200] + [409] * 7
    assert db.session.scalar(select(func.count()).select_from(ServiceRecord)) == 1
