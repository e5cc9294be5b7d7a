"""Service records: reading them, and entering them (by hand, or for a completed 我来帮
request) within the activity's planned duration and the per-record and daily caps.

The ledger is append-only (DESIGN §3): a record, once entered, is never edited; review,
corrections and voids move its status (:mod:`api.hours.reviews`). Every record written here
gets its audit entry in the same transaction (DESIGN §4 invariant 6).
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import selectinload

from api.accounts import roles
from api.accounts.models import User, VolunteerProfile
from api.accounts.services import NotAVolunteer
from api.activities.lookup import get_managed_activity
from api.activities.models import Activity
from api.activities.vocabulary import ActivityStatus
from api.audit.services import record as audit
from api.auth.permissions import ensure_manages, scope_condition
from api.extensions import db
from api.help.models import HelpResponder
from api.hours.errors import (
    ActivityNotHeld,
    ExceedsPlannedDuration,
    ManualRecordNeedsLink,
    MinutesOverDailyCap,
    MinutesOverRecordCap,
    RecordExists,
    RecordNotFound,
)
from api.hours.models import HELP_REQUEST, MANUAL, RecordStatus, ServiceRecord
from api.signups.models import Signup, SignupStatus
from api.timeutil import local_day_bounds, to_local, utcnow
from api.transactions import atomic

LIVE_STATUSES = (RecordStatus.PENDING, RecordStatus.APPROVED)


# --- reading --------------------------------------------------------------------------


def get_record(viewer: User, record_id: int) -> ServiceRecord:
    """A record its volunteer, or an organizer of its unit, may see.

    :raises RecordNotFound: :raises Forbidden: for anybody else.
    """
    record = db.session.get(ServiceRecord, record_id)
    if record is None:
        raise RecordNotFound()
    if record.user_id != viewer.id:
        ensure_manages(viewer, record.unit, roles.ORGANIZER_ROLES)
    return record


def records_query(
    actor: User,
    *,
    unit_id: int | None = None,
    activity_id: int | None = None,
    status: str | None = None,
    user_id: int | None = None,
) -> Select:
    """Records of the actor's subtree (organizers), newest first, filtered.

    :raises Forbidden, UnitNotFound, ActivityNotFound:
    """
    statement = select(ServiceRecord).join(ServiceRecord.unit)
    if activity_id is not None:
        get_managed_activity(actor, activity_id)
        statement = statement.where(ServiceRecord.activity_id == activity_id)
    else:
        condition = scope_condition(actor, unit_id)
        if condition is not None:
            statement = statement.where(condition)
    if status is not None:
        statement = statement.where(ServiceRecord.status == status)
    if user_id is not None:
        statement = statement.where(ServiceRecord.user_id == user_id)
    return statement.order_by(ServiceRecord.served_at.desc(), ServiceRecord.id.desc()).options(
        selectinload(ServiceRecord.activity), selectinload(ServiceRecord.user)
    )


# --- writing records --------------------------------------------------------------------


def check_planned_duration(
    activity: Activity | None, minutes: int, field: str = "credited_minutes"
):
    """``minutes`` stay within the activity's planned duration (no activity: no limit).

    :raises ExceedsPlannedDuration: naming ``field``.
    """
    if activity is not None and minutes > activity.planned_minutes:
        raise ExceedsPlannedDuration(
            errors={field: [f"不能超过活动计划时长 {activity.planned_minutes} 分钟"]}
        )


def check_record_cap(minutes: int, setting: str, field: str = "credited_minutes") -> None:
    """:raises MinutesOverRecordCap: above the configured cap ``setting`` (minutes)."""
    cap = current_app.config[setting]
    if minutes > cap:
        raise MinutesOverRecordCap(errors={field: [f"单条记录不能超过 {cap} 分钟"]})


def _lock_volunteer(user_id: int) -> None:
    """Take the volunteer's row lock for the rest of the transaction (a row lock on
    PostgreSQL, the write lock on SQLite), by an UPDATE that changes nothing."""
    table = VolunteerProfile.__table__
    db.session.execute(
        update(table)
        .where(table.c.user_id == user_id)
        .values(updated_at=table.c.updated_at)  # named, so that no onupdate moves it
    )


def check_daily_cap(
    user_id: int, served_at: datetime, minutes: int, field: str = "credited_minutes"
) -> None:
    """The volunteer's live records of that local day plus ``minutes`` stay within
    ``DAILY_SERVICE_MAX_MINUTES``. Call it inside the unit that adds the record: it takes
    the volunteer's lock first, so two records entered at once are summed one after the
    other, never both against the day without the other. :raises MinutesOverDailyCap:"""
    _lock_volunteer(user_id)
    cap = current_app.config["DAILY_SERVICE_MAX_MINUTES"]
    day = to_local(served_at).date()
    start, end = local_day_bounds(day, day)
    already = db.session.scalar(
        select(func.coalesce(func.sum(ServiceRecord.credited_minutes), 0)).where(
            ServiceRecord.user_id == user_id,
            ServiceRecord.status.in_(LIVE_STATUSES),
            ServiceRecord.served_at >= start,
            ServiceRecord.served_at < end,
        )
    )
    if already + minutes > cap:
        raise MinutesOverDailyCap(
            errors={field: [f"当天已登记 {already} 分钟，每日合计不能超过 {cap} 分钟"]}
        )


def _linked_to_activity(user_id: int, activity: Activity) -> bool:
    """Signed up for the activity (a place held: confirmed, attended or no-show), or a
    member (responder) of the team that runs it."""
    signed_up = select(Signup.id).where(
        Signup.user_id == user_id,
        Signup.activity_id == activity.id,
        Signup.status.in_((SignupStatus.CONFIRMED, SignupStatus.ATTENDED, SignupStatus.NO_SHOW)),
    )
    if db.session.scalar(signed_up.limit(1)) is not None:
        return True
    return (
        activity.team_id is not None
        and db.session.scalar(
            select(HelpResponder.user_id)
            .where(HelpResponder.user_id == user_id, HelpResponder.team_id == activity.team_id)
            .limit(1)
        )
        is not None
    )


def live_record_exists(user_id: int, activity_id: int) -> bool:
    """The volunteer has a pending or approved record for the activity (one per activity)."""
    return (
        db.session.scalar(
            select(ServiceRecord.id)
            .where(
                ServiceRecord.user_id == user_id,
                ServiceRecord.activity_id == activity_id,
                ServiceRecord.status.in_(LIVE_STATUSES),
            )
            .limit(1)
        )
        is not None
    )


def _check_held(activity: Activity) -> None:
    if (
        activity.status in (ActivityStatus.DRAFT, ActivityStatus.CANCELLED)
        or activity.starts_at > utcnow()
    ):
        raise ActivityNotHeld()


def audit_created(actor: User | None, record: ServiceRecord, **details) -> None:
    """Write the audit entry of a new record (flushed, so it has its id); ``details`` are
    added to the entry's own."""
    audit(
        actor,
        "service_record.create",
        "service_record",
        record.id,
        details={
            "user_id": record.user_id,
            "activity_id": record.activity_id,
            "source": record.source,
            "status": record.status,
            "credited_minutes": record.credited_minutes,
            **details,
        },
        reason=record.reason,
    )


def create_manual_record(
    actor: User, *, user_id: int, activity_id: int, credited_minutes: int, reason: str
) -> ServiceRecord:
    """Enter hours by hand for a volunteer of an activity the actor organises: marked
    ``manual``, pending review (by another organizer), at most the activity's planned
    duration and ``MANUAL_RECORD_MAX_MINUTES``, within the volunteer's daily cap.

    :raises ActivityNotFound, Forbidden: unless the actor organises the activity.
    :raises ActivityNotHeld: for a draft, cancelled or future activity.
    :raises NotAVolunteer: :raises ExceedsPlannedDuration: :raises MinutesOverRecordCap:
    :raises ManualRecordNeedsLink: neither signed up nor a member of the activity's team.
    :raises RecordExists: when the volunteer already has a live record for it.
    :raises MinutesOverDailyCap:
    """
    activity = get_managed_activity(actor, activity_id)
    _check_held(activity)
    volunteer = db.session.get(User, user_id)
    if volunteer is None or volunteer.volunteer is None:
        message = "该用户尚未注册为志愿者"
        raise NotAVolunteer(message, errors={"user_id": [message]})
    check_planned_duration(activity, credited_minutes)
    check_record_cap(credited_minutes, "MANUAL_RECORD_MAX_MINUTES")
    if not _linked_to_activity(user_id, activity):
        raise ManualRecordNeedsLink()
    if live_record_exists(user_id, activity.id):
        raise RecordExists()
    with atomic():
        check_daily_cap(user_id, activity.starts_at, credited_minutes)
        record = ServiceRecord(
            user_id=user_id,
            activity_id=activity.id,
            unit_id=activity.unit_id,
            credited_minutes=credited_minutes,
            source=MANUAL,
            status=RecordStatus.PENDING,
            reason=reason,
            created_by_id=actor.id,
        )
        db.session.add(record)
        db.session.flush()
        audit_created(actor, record)
    return record


def add_help_request_record(
    actor: User | None,
    *,
    user_id: int,
    unit_id: int,
    credited_minutes: int,
    category: str,
    served_at: datetime,
    reason: str = "",
) -> ServiceRecord:
    """Add a pending record for a completed help request (我来帮) to the caller's
    transaction (the caller commits with its own change). The caller checks who may be
    credited. :raises MinutesOverRecordCap, MinutesOverDailyCap:"""
    check_record_cap(credited_minutes, "HELP_RECORD_MAX_MINUTES", "volunteers")
    check_daily_cap(user_id, served_at, credited_minutes, "volunteers")
    record = ServiceRecord(
        user_id=user_id,
        activity_id=None,
        unit_id=unit_id,
        credited_minutes=credited_minutes,
        source=HELP_REQUEST,
        status=RecordStatus.PENDING,
        category=category,
        served_at=served_at,
        reason=reason,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(record)
    db.session.flush()
    audit_created(actor, record)
    return record
