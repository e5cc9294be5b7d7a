"""我的报名 tells a sign-up checked out from one only checked in."""

from datetime import timedelta

from api.extensions import db
from api.signups.models import Attendance
from api.signups.services import sign_up
from api.timeutil import utcnow


def test_my_signups_carry_check_in_and_check_out_times(
    client, create_user, auth_headers, create_activity
):
    user = create_user()
    activity = create_activity(starts_at=utcnow().replace(microsecond=0) + timedelta(hours=1))
    signup = sign_up(user, activity.id)
    signup.status = "attended"
    attendance = Attendance(signup_id=signup.id, checked_in_at=activity.starts_at)
    db.session.add(attendance)
    db.session.commit()

    def mine():
        return client.get("/api/v1/me/signups", headers=auth_headers(user)).get_json()["data"][0]

    assert mine()["checked_in_at"] is not None and mine()["checked_out_at"] is None
    attendance.checked_out_at = activity.starts_at + timedelta(hours=1)
    db.session.commit()
    assert mine()["checked_out_at"].endswith("+08:00")
