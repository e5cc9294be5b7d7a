"""The hours ledger's rules: manual entries, review, corrections, disputes.

The ledger is append-only (DESIGN §3): a record's facts never change; its status moves
pending → approved | rejected, and a superseded record becomes voided while a new record
that references it (``corrects_id``) carries the corrected minutes, the reason and the
actor. Status changes are conditional UPDATEs (``... WHERE status = 'pending'``), so two
organizers reviewing at once cannot both win, on SQLite and PostgreSQL alike. Every change
writes an audit entry in the same transaction (DESIGN §4 invariant 6).
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from api.accounts import roles
from api.accounts.models import User, VolunteerProfile
from api.accounts.services import NotAVolunteer
from api.activities.lookup import get_activity, get_managed_activity
from api.activities.models import Activity
from api.activities.vocabulary import ActivityStatus
from api.audit.services import record as audit
from api.auth.permissions import ensure_manages, scope_condition
from api.errors import Conflict, Forbidden, NotFound, ValidationFailed
from api.extensions import db
from api.help.models import HelpResponder
from api.hours.models import (
    HELP_REQUEST,
    MANUAL,
    MISSING,
    WRONG,
    DisputeStatus,
    HoursDispute,
    RecordStatus,
    ServiceRecord,
)
from api.notifications import services as notifications
from api.signups.models import Signup, SignupStatus
from api.timeutil import local_day_bounds, to_local, utcnow
from api.transactions import atomic

LIVE_STATUSES = (RecordStatus.PENDING, RecordStatus.APPROVED)


class RecordNotFound(NotFound):
    error, message = "service_record_not_found", "服务记录不存在"


class RecordNotPending(Conflict):
    error, message = "record_not_pending", "该记录已审核，不能重复审核"


class RecordSuperseded(Conflict):
    error, message = "record_superseded", "该记录已被更正或作废"


class RecordExists(Conflict):
    error, message = "record_exists", "该志愿者在此活动已有服务记录，如有错误请提出更正"


class ActivityNotHeld(Conflict):
    error, message = "activity_not_held", "活动尚未举行或已取消，不能登记时长"


class ExceedsPlannedDuration(ValidationFailed):
    error, message = "exceeds_planned_duration", "服务时长不能超过活动计划时长"


class DisputeNotFound(NotFound):
    error, message = "dispute_not_found", "异议不存在"


class DisputeExists(Conflict):
    error, message = "dispute_exists", "已有待处理的异议，请等待处理结果"


class DisputeClosed(Conflict):
    error, message = "dispute_closed", "该异议已处理"


class OwnRecord(Forbidden):
    error, message = "own_record", "不能审核、更正或处理本人的服务记录"


class SelfReview(Forbidden):
    error, message = "self_review", "不能审核、更正或处理自己登记的服务记录，请由其他管理员处理"


class ManualRecordNeedsLink(Conflict):
    error, message = (
        "manual_record_needs_link",
        "该志愿者未报名此活动，也不是承办服务队的成员，不能补录时长",
    )


class MinutesOverRecordCap(ValidationFailed):
    error, message = "minutes_over_record_cap", "单条服务记录的时长超过上限"


class MinutesOverDailyCap(Conflict):
    error, message = "minutes_over_daily_cap", "该志愿者当天的服务时长将超过每日上限"


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


def _managed_record(actor: User, record_id: int) -> ServiceRecord:
    record = db.session.get(ServiceRecord, record_id)
    if record is None:
        raise RecordNotFound()
    ensure_manages(actor, record.unit, roles.ORGANIZER_ROLES)
    return record


def ensure_not_own(actor: User, record: ServiceRecord) -> None:
    """Separation of duties (DESIGN §4.10): nobody reviews, corrects, voids or settles a
    record of which they are the volunteer or the creator.

    :raises OwnRecord: the actor is its volunteer. :raises SelfReview: the actor created it.
    """
    if record.user_id == actor.id:
        raise OwnRecord()
    if record.created_by_id == actor.id:
        raise SelfReview()


def _reviewable_by(actor: User):
    """SQL: records neither of the actor nor entered by them (see :func:`ensure_not_own`)."""
    return (ServiceRecord.user_id != actor.id) & ServiceRecord.created_by_id.is_distinct_from(
        actor.id
    )


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


def _check_minutes(activity: Activity | None, minutes: int, field: str = "credited_minutes"):
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


def _live_record_exists(user_id: int, activity_id: int) -> bool:
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


def _audit_created(actor: User | None, record: ServiceRecord, **details) -> None:
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
    _check_minutes(activity, credited_minutes)
    check_record_cap(credited_minutes, "MANUAL_RECORD_MAX_MINUTES")
    if not _linked_to_activity(user_id, activity):
        raise ManualRecordNeedsLink()
    if _live_record_exists(user_id, activity.id):
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
        _audit_created(actor, record)
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
    _audit_created(actor, record)
    return record


# --- review -----------------------------------------------------------------------------


def _notify_reviewed(rows, status: str, note: str) -> None:
    approved = status == RecordStatus.APPROVED
    for row in rows:
        hours = f"{row.credited_minutes // 60} 小时 {row.credited_minutes % 60} 分钟"
        notifications.notify(
            [row.user_id],
            notifications.HOURS_APPROVED if approved else notifications.HOURS_REJECTED,
            "服务时长已审核通过" if approved else "服务时长未通过审核",
            f"服务时长 {hours}" + ("" if approved else f"；原因：{note}"),
            {"service_record_id": row.id, "reason": note},
        )


def _review(actor: User, record_ids: list[int], status: str, note: str):
    """Move the pending records among ``record_ids`` to ``status``; returns the rows that
    moved (a record reviewed meanwhile by someone else is left alone)."""
    if not record_ids:
        return []
    now = utcnow()
    rows = db.session.execute(
        update(ServiceRecord)
        .where(ServiceRecord.id.in_(record_ids), ServiceRecord.status == RecordStatus.PENDING)
        .values(status=status, reviewed_by_id=actor.id, reviewed_at=now, review_note=note)
        .returning(
            ServiceRecord.id,
            ServiceRecord.user_id,
            ServiceRecord.credited_minutes,
            ServiceRecord.activity_id,
        )
        .execution_options(synchronize_session=False)
    ).all()
    action = (
        "service_record.approve" if status == RecordStatus.APPROVED else "service_record.reject"
    )
    for row in rows:
        audit(
            actor,
            action,
            "service_record",
            row.id,
            details={
                "user_id": row.user_id,
                "activity_id": row.activity_id,
                "credited_minutes": row.credited_minutes,
            },
            reason=note,
        )
    _notify_reviewed(rows, status, note)
    return rows


def review_record(actor: User, record_id: int, *, approve: bool, note: str = "") -> ServiceRecord:
    """Approve or reject one pending record.

    :raises RecordNotFound: :raises Forbidden: outside the actor's subtree.
    :raises OwnRecord, SelfReview: the actor's own record, or one they entered.
    :raises RecordNotPending: when it was already reviewed, corrected or voided.
    """
    record = _managed_record(actor, record_id)
    ensure_not_own(actor, record)
    with atomic():
        if not _review(
            actor, [record.id], RecordStatus.APPROVED if approve else RecordStatus.REJECTED, note
        ):
            raise RecordNotPending()
    db.session.refresh(record)
    return record


def review_activity(
    actor: User,
    activity_id: int,
    *,
    approve: bool,
    note: str = "",
    record_ids: list[int] | None = None,
) -> list[int]:
    """Approve or reject the activity's whole roster of pending records (or those of
    ``record_ids`` among them); returns the ids that moved. The actor's own records (as
    volunteer or creator) are skipped: another organizer reviews them.

    :raises ActivityNotFound: :raises Forbidden: unless the actor organises the activity.
    """
    activity = get_managed_activity(actor, activity_id)
    statement = select(ServiceRecord.id).where(
        ServiceRecord.activity_id == activity.id,
        ServiceRecord.status == RecordStatus.PENDING,
        _reviewable_by(actor),
    )
    if record_ids is not None:
        statement = statement.where(ServiceRecord.id.in_(record_ids))
    pending = list(db.session.scalars(statement))
    with atomic():
        rows = _review(
            actor, pending, RecordStatus.APPROVED if approve else RecordStatus.REJECTED, note
        )
    return sorted(row.id for row in rows)


def _supersede(actor: User, record: ServiceRecord, note: str) -> str:
    """Void ``record``; returns the status it had. :raises RecordSuperseded:"""
    row = db.session.execute(
        update(ServiceRecord)
        .where(ServiceRecord.id == record.id, ServiceRecord.status != RecordStatus.VOIDED)
        .values(
            status=RecordStatus.VOIDED,
            reviewed_by_id=actor.id,
            reviewed_at=utcnow(),
            review_note=note,
        )
        .returning(ServiceRecord.id)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        raise RecordSuperseded()
    previous = record.status
    audit(
        actor,
        "service_record.void",
        "service_record",
        record.id,
        details={
            "user_id": record.user_id,
            "previous_status": previous,
            "credited_minutes": record.credited_minutes,
        },
        reason=note,
    )
    return previous


def _apply_correction(
    actor: User, record: ServiceRecord, minutes: int, reason: str, *, notify: bool = True
) -> ServiceRecord:
    """Void ``record`` and append an approved record of ``minutes`` that references it
    (without committing). :raises RecordSuperseded, ExceedsPlannedDuration:"""
    _check_minutes(record.activity, minutes)
    previous = _supersede(actor, record, f"已更正：{reason}")
    now = utcnow()
    correction = ServiceRecord(
        user_id=record.user_id,
        activity_id=record.activity_id,
        unit_id=record.unit_id,
        credited_minutes=minutes,
        source=record.source,
        category=record.category,
        served_at=record.served_at,
        corrects_id=record.id,
        reason=reason,
        created_by_id=actor.id,
        status=RecordStatus.APPROVED,
        reviewed_by_id=actor.id,
        reviewed_at=now,
    )
    db.session.add(correction)
    try:
        db.session.flush()
    except IntegrityError:
        # The unique index on corrects_id: a concurrent correction won.
        raise RecordSuperseded() from None
    audit(
        actor,
        "service_record.correct",
        "service_record",
        correction.id,
        details={
            "corrects_id": record.id,
            "user_id": record.user_id,
            "previous_minutes": record.credited_minutes,
            "previous_status": previous,
            "credited_minutes": minutes,
        },
        reason=reason,
    )
    if notify:
        notifications.notify(
            [record.user_id],
            notifications.HOURS_APPROVED,
            "服务时长已更正",
            f"更正后服务时长 {minutes} 分钟；原因：{reason}",
            {"service_record_id": correction.id, "corrects_id": record.id, "reason": reason},
        )
    return correction


def correct_record(
    actor: User, record_id: int, credited_minutes: int, reason: str
) -> ServiceRecord:
    """Correct a record: it is voided and a new approved record with the right minutes,
    the reason and the actor references it.

    :raises RecordNotFound: :raises Forbidden: outside the actor's subtree.
    :raises OwnRecord, SelfReview: the actor's own record, or one they entered.
    :raises RecordSuperseded: when already corrected or voided.
    :raises ExceedsPlannedDuration:
    """
    record = _managed_record(actor, record_id)
    ensure_not_own(actor, record)
    with atomic():
        correction = _apply_correction(actor, record, credited_minutes, reason)
    return correction


def void_record(actor: User, record_id: int, reason: str) -> ServiceRecord:
    """Void a record that should never have been credited (no replacement).

    :raises RecordNotFound: :raises Forbidden: :raises RecordSuperseded:
    :raises OwnRecord, SelfReview: the actor's own record, or one they entered.
    """
    record = _managed_record(actor, record_id)
    ensure_not_own(actor, record)
    with atomic():
        _supersede(actor, record, reason)
    db.session.refresh(record)
    return record


# --- disputes ---------------------------------------------------------------------------


def open_dispute(
    user: User,
    *,
    kind: str,
    description: str,
    record_id: int | None = None,
    activity_id: int | None = None,
    claimed_minutes: int | None = None,
) -> HoursDispute:
    """Contest one of my records (``wrong``) or report one missing for an activity
    (``missing``).

    :raises RecordNotFound: not my record (or voided). :raises ActivityNotFound:
    :raises RecordExists: reporting a missing record that exists (contest it instead).
    :raises ExceedsPlannedDuration: :raises DisputeExists: one is already open.
    """
    if kind == WRONG:
        record = db.session.get(ServiceRecord, record_id)
        if record is None or record.user_id != user.id or record.status == RecordStatus.VOIDED:
            raise RecordNotFound()
        activity, unit_id = record.activity, record.unit_id
    else:
        record = None
        activity = get_activity(activity_id, user)
        unit_id = activity.unit_id
        if _live_record_exists(user.id, activity.id):
            raise RecordExists("您在此活动已有服务记录，如有错误请对该记录提出异议")
    if claimed_minutes is not None:
        _check_minutes(activity, claimed_minutes, "claimed_minutes")
    dispute = HoursDispute(
        user_id=user.id,
        kind=kind,
        record_id=record.id if record else None,
        activity_id=activity.id if activity else None,
        unit_id=unit_id,
        claimed_minutes=claimed_minutes,
        description=description,
        status=DisputeStatus.OPEN,
    )
    with atomic():
        db.session.add(dispute)
        try:
            db.session.flush()
        except IntegrityError:
            # The partial unique index: one open dispute per record (or missing activity).
            raise DisputeExists() from None
        audit(
            user,
            "hours_dispute.open",
            "hours_dispute",
            dispute.id,
            details={
                "kind": kind,
                "record_id": dispute.record_id,
                "activity_id": dispute.activity_id,
                "claimed_minutes": claimed_minutes,
            },
            reason=description,
        )
    return dispute


def get_dispute(viewer: User, dispute_id: int) -> HoursDispute:
    """:raises DisputeNotFound: :raises Forbidden: neither its volunteer nor in scope."""
    dispute = db.session.get(HoursDispute, dispute_id)
    if dispute is None:
        raise DisputeNotFound()
    if dispute.user_id != viewer.id:
        ensure_manages(viewer, dispute.unit, roles.ORGANIZER_ROLES)
    return dispute


def my_disputes_query(user: User) -> Select:
    return (
        select(HoursDispute).where(HoursDispute.user_id == user.id).order_by(HoursDispute.id.desc())
    )


def disputes_query(actor: User, *, unit_id: int | None = None, status: str | None = None) -> Select:
    """Disputes of the actor's subtree, oldest first (a queue). :raises Forbidden:"""
    statement = (
        select(HoursDispute)
        .join(HoursDispute.unit)
        .order_by(HoursDispute.id)
        # The page names each volunteer: their users (and profiles) in one statement each.
        .options(selectinload(HoursDispute.user))
    )
    condition = scope_condition(actor, unit_id)
    if condition is not None:
        statement = statement.where(condition)
    if status is not None:
        statement = statement.where(HoursDispute.status == status)
    return statement


def resolve_dispute(
    actor: User, dispute_id: int, *, accept: bool, note: str, credited_minutes: int | None = None
) -> HoursDispute:
    """Accept a dispute (a wrong record is corrected, a missing one is added, approved) or
    dismiss it; the volunteer is notified either way.

    :raises DisputeNotFound: :raises Forbidden: outside the actor's subtree.
    :raises OwnRecord, SelfReview: the actor's own dispute, or one about a record they entered.
    :raises DisputeClosed: already resolved. :raises ValidationFailed: accepting without
        minutes. :raises RecordSuperseded, RecordExists, ExceedsPlannedDuration:
    """
    dispute = db.session.get(HoursDispute, dispute_id)
    if dispute is None:
        raise DisputeNotFound()
    ensure_manages(actor, dispute.unit, roles.ORGANIZER_ROLES)
    if dispute.user_id == actor.id:
        raise OwnRecord()
    if dispute.record is not None:
        ensure_not_own(actor, dispute.record)
    minutes = credited_minutes if credited_minutes is not None else dispute.claimed_minutes
    if accept and minutes is None:
        raise ValidationFailed(errors={"credited_minutes": ["接受异议时需填写核定的服务时长"]})
    with atomic():
        _resolve(actor, dispute, accept, note, minutes)
    db.session.refresh(dispute)
    return dispute


def _resolve(
    actor: User, dispute: HoursDispute, accept: bool, note: str, minutes: int | None
) -> None:
    moved = db.session.execute(
        update(HoursDispute)
        .where(HoursDispute.id == dispute.id, HoursDispute.status == DisputeStatus.OPEN)
        .values(
            status=DisputeStatus.ACCEPTED if accept else DisputeStatus.DISMISSED,
            resolved_by_id=actor.id,
            resolved_at=utcnow(),
            resolution_note=note,
        )
        .returning(HoursDispute.id)
        .execution_options(synchronize_session=False)
    ).first()
    if moved is None:
        raise DisputeClosed()
    result = None
    if accept and dispute.kind == WRONG:
        # One message for the volunteer: the dispute's answer (below).
        result = _apply_correction(
            actor, dispute.record, minutes, f"异议 #{dispute.id}：{note}", notify=False
        )
    elif accept and dispute.kind == MISSING:
        result = _add_missing_record(actor, dispute, minutes, note)
    if result is not None:
        db.session.execute(
            update(HoursDispute)
            .where(HoursDispute.id == dispute.id)
            .values(result_record_id=result.id)
            .execution_options(synchronize_session=False)
        )
    audit(
        actor,
        "hours_dispute.accept" if accept else "hours_dispute.dismiss",
        "hours_dispute",
        dispute.id,
        details={
            "kind": dispute.kind,
            "user_id": dispute.user_id,
            "result_record_id": result.id if result else None,
            "credited_minutes": minutes if accept else None,
        },
        reason=note,
    )
    notifications.notify(
        [dispute.user_id],
        notifications.HOURS_APPROVED if accept else notifications.HOURS_REJECTED,
        "时长异议已处理：" + ("已采纳" if accept else "未采纳"),
        note,
        {
            "dispute_id": dispute.id,
            "reason": note,
            "service_record_id": result.id if result else dispute.record_id,
        },
    )


def _add_missing_record(
    actor: User, dispute: HoursDispute, minutes: int, note: str
) -> ServiceRecord:
    activity = dispute.activity
    _check_minutes(activity, minutes)
    if _live_record_exists(dispute.user_id, activity.id):
        raise RecordExists()
    record = ServiceRecord(
        user_id=dispute.user_id,
        activity_id=activity.id,
        unit_id=activity.unit_id,
        credited_minutes=minutes,
        source=MANUAL,
        status=RecordStatus.APPROVED,
        reason=f"异议 #{dispute.id}（缺漏）：{note}",
        created_by_id=actor.id,
        reviewed_by_id=actor.id,
        reviewed_at=utcnow(),
    )
    db.session.add(record)
    db.session.flush()
    _audit_created(actor, record, dispute_id=dispute.id)
    return record
