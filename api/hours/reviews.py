"""Review, corrections and voids: how a record's status moves, and who may move it.

A record's facts never change (DESIGN §3); its status moves pending → approved | rejected,
and a superseded record becomes voided while a new record that references it
(``corrects_id``) carries the corrected minutes, the reason and the actor. Status changes
are conditional UPDATEs (``... WHERE status = 'pending'``), so two organizers reviewing at
once cannot both win, on SQLite and PostgreSQL alike. Every change writes an audit entry in
the same transaction (DESIGN §4 invariant 6).
"""

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from api.accounts import roles
from api.accounts.models import User
from api.activities.lookup import get_managed_activity
from api.audit.services import record as audit
from api.auth.permissions import ensure_manages
from api.extensions import db
from api.hours.errors import (
    OwnRecord,
    RecordNotFound,
    RecordNotPending,
    RecordSuperseded,
    SelfReview,
)
from api.hours.models import RecordStatus, ServiceRecord
from api.hours.records import check_planned_duration
from api.notifications import services as notifications
from api.timeutil import utcnow
from api.transactions import atomic

# --- who may review ---------------------------------------------------------------------


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


# --- corrections and voids --------------------------------------------------------------


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


def apply_correction(
    actor: User, record: ServiceRecord, minutes: int, reason: str, *, notify: bool = True
) -> ServiceRecord:
    """Void ``record`` and append an approved record of ``minutes`` that references it
    (without committing). :raises RecordSuperseded, ExceedsPlannedDuration:"""
    check_planned_duration(record.activity, minutes)
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
        correction = apply_correction(actor, record, credited_minutes, reason)
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
