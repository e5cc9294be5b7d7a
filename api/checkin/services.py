"""Check-in and check-out: who may, when, where, and the hours a check-out credits.

Invariant 4 of DESIGN §4 lives here: ``credited = min(check-out − check-in, planned duration)``
in whole minutes, never rounded up. Every change takes the activity's row lock first
(:func:`api.activities.lookup.lock_activity`), the same lock a cancellation takes, so a
sign-up is never cancelled and checked in at once, and two scans never credit twice.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from api.accounts.models import User
from api.activities.lookup import get_activity, get_managed_activity, lock_activity
from api.activities.models import Activity
from api.activities.vocabulary import ActivityStatus
from api.audit.services import record as audit
from api.checkin.tokens import issue_checkin_token, qr_svg, read_checkin_token
from api.errors import BadRequest, Conflict, Forbidden, ValidationFailed
from api.extensions import db
from api.geo import distance_metres
from api.hours.models import RecordStatus, ServiceRecord
from api.signups.models import Attendance, Signup, SignupStatus
from api.signups.services import ActivityCancelled, active_signup
from api.timeutil import utcnow
from api.transactions import atomic

# Volunteers arrive early and tidy up after: the window opens and closes this much around
# the activity.
WINDOW_MARGIN = timedelta(minutes=30)
QR, STAFF = "qr", "staff"


class CheckinTokenWrongActivity(BadRequest):
    error, message = "checkin_token_wrong_activity", "该签到码属于其他活动"


class CheckinWindowClosed(Conflict):
    error, message = "checkin_window_closed", "不在签到时间内（活动开始前 30 分钟至结束后 30 分钟）"


class OutsideGeofence(Forbidden):
    error, message = "outside_geofence", "您不在活动地点附近，无法签到"


class LocationRequired(ValidationFailed):
    error, message = "location_required", "该活动需要定位签到，请允许获取位置后重试"


class NotSignedUp(Forbidden):
    error, message = "not_signed_up", "您没有该活动的有效报名"


class NotCheckedIn(Conflict):
    error, message = "not_checked_in", "尚未签到，不能签退"


class AlreadyCheckedOut(Conflict):
    error, message = "already_checked_out", "已签退，请勿重复操作"


class CodeUnavailable(Conflict):
    error, message = "checkin_code_unavailable", "活动尚未发布，不能生成签到码"


@dataclass
class CheckinCode:
    token: str
    expires_at: datetime
    qr_svg: str


@dataclass
class Checkout:
    attendance: Attendance
    service_record: ServiceRecord


def checkin_code(actor: User, activity_id: int) -> CheckinCode:
    """A fresh signed code for the venue's QR code.

    :raises ActivityNotFound, Forbidden: unless the actor organises the activity.
    :raises ActivityCancelled: for a cancelled activity. :raises CodeUnavailable: for a draft.
    """
    activity = get_managed_activity(actor, activity_id)
    if activity.status == ActivityStatus.CANCELLED:
        raise ActivityCancelled()
    if activity.status == ActivityStatus.DRAFT:
        raise CodeUnavailable()
    token, expires_at = issue_checkin_token(activity.id)
    return CheckinCode(token, expires_at, qr_svg(token))


def credited_minutes(
    checked_in_at: datetime, checked_out_at: datetime, planned_minutes: int
) -> int:
    """Whole minutes between check-in and check-out (floored), capped at the planned
    duration."""
    elapsed = int((checked_out_at - checked_in_at).total_seconds() // 60)
    return max(0, min(elapsed, planned_minutes))


def _check_token(token: str, activity: Activity) -> None:
    if read_checkin_token(token) != activity.id:
        raise CheckinTokenWrongActivity()


def _check_window(activity: Activity, now: datetime) -> None:
    if not activity.starts_at - WINDOW_MARGIN <= now <= activity.ends_at + WINDOW_MARGIN:
        raise CheckinWindowClosed()


def _distance(activity: Activity, lat: float | None, lng: float | None) -> int | None:
    """The rounded distance from the venue, after checking the fence (if it has one)."""
    has_venue = activity.lat is not None and activity.lng is not None
    fenced = has_venue and activity.geofence_metres is not None
    if lat is None or lng is None:
        if fenced:
            raise LocationRequired(
                errors={"lat": ["需要提供当前位置"], "lng": ["需要提供当前位置"]}
            )
        return None
    if not has_venue:
        return None
    metres = distance_metres(lat, lng, activity.lat, activity.lng)
    if fenced and metres > activity.geofence_metres:
        raise OutsideGeofence(
            f"您距活动地点约 {round(metres)} 米，超出 {activity.geofence_metres} 米签到范围"
        )
    return round(metres)


def _open_activity(activity_id: int, viewer: User) -> Activity:
    activity = get_activity(activity_id, viewer)
    if activity.status == ActivityStatus.CANCELLED:
        raise ActivityCancelled()
    return activity


def _signup_for_checkin(user_id: int, activity_id: int) -> Signup:
    signup = active_signup(user_id, activity_id)
    if signup is None or signup.status not in (SignupStatus.CONFIRMED, SignupStatus.ATTENDED):
        raise NotSignedUp()
    return signup


def _record_checkin(
    activity: Activity,
    user_id: int,
    *,
    actor: User,
    method: str,
    distance: int | None = None,
    reason: str = "",
) -> Attendance:
    """Write the attendance under the activity's lock; an existing one is returned as is.

    :raises NotSignedUp: when the sign-up went away meanwhile.
    """
    try:
        return _write_checkin(
            activity, user_id, actor=actor, method=method, distance=distance, reason=reason
        )
    except IntegrityError:
        # The unique index on signup_id: another scan of the same person got there first.
        # Our unit (the outermost: views call the check-in services) rolled back whole;
        # answer with theirs, read after it.
        existing = _signup_for_checkin(user_id, activity.id).attendance
        if existing is None:
            raise
        return existing


@atomic()
def _write_checkin(
    activity: Activity, user_id: int, *, actor: User, method: str, distance: int | None, reason: str
) -> Attendance:
    """One attempt of :func:`_record_checkin`, its own unit (the commit ends the lock)."""
    lock_activity(activity.id)
    signup = _signup_for_checkin(user_id, activity.id)
    db.session.refresh(signup)
    if signup.attendance is not None:
        return signup.attendance
    attendance = Attendance(
        signup=signup,
        checked_in_at=utcnow(),
        method=method,
        distance_metres=distance,
        recorded_by_id=actor.id if method == STAFF else None,
        reason=reason,
    )
    signup.status = SignupStatus.ATTENDED
    db.session.add(attendance)
    db.session.flush()  # surfaces the unique index's IntegrityError before the audit entry
    action = "attendance.staff_checkin" if method == STAFF else "attendance.checkin"
    audit(
        actor,
        action,
        "attendance",
        attendance.id,
        details={
            "activity_id": activity.id,
            "user_id": user_id,
            "method": method,
            "distance_metres": distance,
        },
        reason=reason,
    )
    return attendance


def check_in(
    user: User, activity_id: int, token: str, lat: float | None = None, lng: float | None = None
) -> Attendance:
    """Check the user in with the venue's code; a second scan returns the same attendance.

    :raises ActivityNotFound, ActivityCancelled:
    :raises CheckinTokenExpired, CheckinTokenInvalid, CheckinTokenWrongActivity:
    :raises NotSignedUp: without a confirmed (or attended) sign-up.
    :raises CheckinWindowClosed: outside 30 min before start … 30 min after end.
    :raises LocationRequired, OutsideGeofence: for a fenced activity.
    """
    activity = _open_activity(activity_id, user)
    _check_token(token, activity)
    signup = _signup_for_checkin(user.id, activity.id)
    if signup.attendance is not None:
        return signup.attendance
    _check_window(activity, utcnow())
    distance = _distance(activity, lat, lng)
    return _record_checkin(activity, user.id, actor=user, method=QR, distance=distance)


@atomic()
def _record_checkout(
    activity: Activity, user_id: int, *, actor: User, reason: str = ""
) -> Checkout:
    """Close the attendance and credit a pending service record, under the activity's lock.

    :raises NotSignedUp, NotCheckedIn, AlreadyCheckedOut:
    """
    lock_activity(activity.id)
    signup = _signup_for_checkin(user_id, activity.id)
    db.session.refresh(signup)
    attendance = signup.attendance
    if attendance is None:
        raise NotCheckedIn()
    db.session.refresh(attendance)
    if attendance.checked_out_at is not None:
        raise AlreadyCheckedOut()
    attendance.checked_out_at = utcnow()
    minutes = credited_minutes(
        attendance.checked_in_at, attendance.checked_out_at, activity.planned_minutes
    )
    service_record = ServiceRecord(
        user_id=user_id,
        activity_id=activity.id,
        unit_id=activity.unit_id,
        credited_minutes=minutes,
        source="checkin",
        status=RecordStatus.PENDING,
        created_by_id=actor.id,
        reason=reason,
    )
    db.session.add(service_record)
    db.session.flush()
    audit(
        actor,
        "service_record.create",
        "service_record",
        service_record.id,
        details={
            "activity_id": activity.id,
            "user_id": user_id,
            "source": "checkin",
            "credited_minutes": minutes,
            "attendance_id": attendance.id,
        },
        reason=reason,
    )
    return Checkout(attendance, service_record)


def check_out(
    user: User, activity_id: int, token: str, lat: float | None = None, lng: float | None = None
) -> Checkout:
    """Check the user out with the venue's code and credit a pending service record of
    ``min(check-out − check-in, planned duration)`` whole minutes.

    :raises ActivityNotFound, ActivityCancelled:
    :raises CheckinTokenExpired, CheckinTokenInvalid, CheckinTokenWrongActivity:
    :raises NotSignedUp, NotCheckedIn, AlreadyCheckedOut:
    :raises CheckinWindowClosed, LocationRequired, OutsideGeofence:
    """
    activity = _open_activity(activity_id, user)
    _check_token(token, activity)
    signup = _signup_for_checkin(user.id, activity.id)
    if signup.attendance is None:
        raise NotCheckedIn()
    if signup.attendance.checked_out_at is not None:
        raise AlreadyCheckedOut()
    _check_window(activity, utcnow())
    _distance(activity, lat, lng)
    return _record_checkout(activity, user.id, actor=user)


def _staff_target(actor: User, activity_id: int, user_id: int) -> Activity:
    activity = get_managed_activity(actor, activity_id)
    if activity.status == ActivityStatus.CANCELLED:
        raise ActivityCancelled()
    _check_window(activity, utcnow())
    return activity


def staff_check_in(actor: User, activity_id: int, user_id: int, reason: str) -> Attendance:
    """Check someone in on their behalf (phone flat, no smartphone), audited with the reason.

    :raises ActivityNotFound, Forbidden: unless the actor organises the activity.
    :raises ActivityCancelled, CheckinWindowClosed, NotSignedUp:
    """
    activity = _staff_target(actor, activity_id, user_id)
    _signup_for_checkin(user_id, activity.id)
    return _record_checkin(activity, user_id, actor=actor, method=STAFF, reason=reason)


def staff_check_out(actor: User, activity_id: int, user_id: int, reason: str) -> Checkout:
    """Check someone out on their behalf, crediting hours as a check-out does; audited with
    the reason.

    :raises ActivityNotFound, Forbidden: unless the actor organises the activity.
    :raises ActivityCancelled, CheckinWindowClosed, NotSignedUp, NotCheckedIn,
        AlreadyCheckedOut:
    """
    activity = _staff_target(actor, activity_id, user_id)
    return _record_checkout(activity, user_id, actor=actor, reason=reason)
