"""Disputes: a volunteer contests one of their records (``wrong``) or reports one missing
(``missing``); an organizer of the unit accepts it (the record is corrected, or the missing
one added, approved) or dismisses it. One open dispute per record (or missing activity) is
held by a partial unique index; settling one is a conditional UPDATE of its status, with its
audit entry and the volunteer's notification in the same transaction.
"""

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from api.accounts import roles
from api.accounts.models import User
from api.activities.lookup import get_activity
from api.audit.services import record as audit
from api.auth.permissions import ensure_manages, scope_condition
from api.errors import ValidationFailed
from api.extensions import db
from api.hours.errors import (
    DisputeClosed,
    DisputeExists,
    DisputeNotFound,
    OwnRecord,
    RecordExists,
    RecordNotFound,
)
from api.hours.models import (
    MANUAL,
    MISSING,
    WRONG,
    DisputeStatus,
    HoursDispute,
    RecordStatus,
    ServiceRecord,
)
from api.hours.records import audit_created, check_planned_duration, live_record_exists
from api.hours.reviews import apply_correction, ensure_not_own
from api.notifications import services as notifications
from api.timeutil import utcnow
from api.transactions import atomic


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
        if live_record_exists(user.id, activity.id):
            raise RecordExists("您在此活动已有服务记录，如有错误请对该记录提出异议")
    if claimed_minutes is not None:
        check_planned_duration(activity, claimed_minutes, "claimed_minutes")
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
    """The user's own disputes, latest first."""
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
        result = apply_correction(
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
    check_planned_duration(activity, minutes)
    if live_record_exists(dispute.user_id, activity.id):
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
    audit_created(actor, record, dispute_id=dispute.id)
    return record
