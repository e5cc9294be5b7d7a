"""The hours ledger (志愿服务记录), its disputes, certificates and the public lookup index.

Service records are never updated in place or deleted: a correction is a new record
referring to the one it corrects. Only the review fields move, one way
(pending → approved | rejected, any → voided when superseded); :func:`_refuse_edits`
holds that for ORM writes, and the services change status with conditional UPDATEs.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, event, inspect, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.accounts.models import User
from api.activities.models import Activity
from api.db_types import UTCDateTime
from api.extensions import db
from api.timeutil import utcnow
from api.units.models import Unit


class RecordStatus(StrEnum):
    """Where a service record stands (pending → approved | rejected, any → voided when
    superseded). The members equal their strings, which the database stores and the API
    answers."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    VOIDED = "voided"


#: Where each status may move to (pending → approved | rejected, any → voided).
STATUS_MOVES = {
    RecordStatus.PENDING: (RecordStatus.APPROVED, RecordStatus.REJECTED, RecordStatus.VOIDED),
    RecordStatus.APPROVED: (RecordStatus.VOIDED,),
    RecordStatus.REJECTED: (RecordStatus.VOIDED,),
    RecordStatus.VOIDED: (),
}

CHECKIN, MANUAL, HELP_REQUEST = "checkin", "manual", "help_request"


def _from_activity(column_name: str, fallback):
    """A column default read from the record's activity at insert time, so records
    written by check-out (which does not set it) still carry it."""

    def default(context):
        activity_id = context.get_current_parameters().get("activity_id")
        if activity_id is None:
            return fallback()
        value = context.connection.scalar(
            select(getattr(Activity, column_name)).where(Activity.id == activity_id)
        )
        return fallback() if value is None else value

    return default


class ServiceRecord(db.Model):
    __tablename__ = "service_records"
    __table_args__ = (
        # My hours: the record list of one volunteer, newest service first, and (covering
        # status, minutes and category) their totals without reading the table.
        Index(
            "ix_service_records_user_served",
            "user_id",
            "served_at",
            "id",
            "status",
            "credited_minutes",
            "category",
        ),
        # Honor roll and reports: approved hours in a date range.
        Index("ix_service_records_status_served", "status", "served_at"),
        # A record is corrected at most once; the database refuses a second correction.
        Index(
            "uq_service_records_corrects_id",
            "corrects_id",
            unique=True,
            sqlite_where=text("corrects_id IS NOT NULL"),
            postgresql_where=text("corrects_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    credited_minutes: Mapped[int]
    source: Mapped[str] = mapped_column(String(16))  # checkin | manual | help_request
    # The status it had is loaded before a new one is set, for _refuse_edits to compare.
    status: Mapped[str] = mapped_column(
        String(16), default=RecordStatus.PENDING, active_history=True
    )
    # Service category (11+N) and the moment of service, copied from the activity.
    category: Mapped[str] = mapped_column(String(20), default=_from_activity("category", str))
    served_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=_from_activity("starts_at", utcnow)
    )
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("service_records.id"))
    reason: Mapped[str] = mapped_column(String(255), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why it was rejected or voided.
    review_note: Mapped[str] = mapped_column(String(255), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    activity: Mapped[Activity | None] = relationship()
    unit: Mapped[Unit] = relationship()


class LedgerStamp(db.Model):
    """A random number naming the present state of one volunteer's records, drawn anew by
    the database's triggers (migration ``reads01a``) in the transaction of every INSERT,
    UPDATE or DELETE of their ``service_records``, whoever runs it: the services, a bulk
    insert, raw SQL. Two readings with the same stamp saw the same records, so a worker may
    keep what it computed from them under the stamp (:mod:`api.hours.totals`). Random, never
    a counter: a backup restored and written to again cannot bring an old stamp back with
    other records. A volunteer without a row has no records. Written by the triggers only.
    """

    __tablename__ = "hours_ledger_stamps"

    # No foreign key: the triggers also run while a user's records are deleted with them.
    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    stamp: Mapped[int] = mapped_column(BigInteger)


# What a record says; once written it never changes.
_IMMUTABLE = (
    "user_id",
    "activity_id",
    "unit_id",
    "credited_minutes",
    "source",
    "category",
    "served_at",
    "corrects_id",
    "reason",
    "created_by_id",
    "created_at",
)


@event.listens_for(ServiceRecord, "before_update")
def _refuse_edits(mapper, connection, target) -> None:
    state = inspect(target)
    changed = [name for name in _IMMUTABLE if state.attrs[name].history.has_changes()]
    if changed:
        raise RuntimeError(f"service records are append-only; tried to change {changed}")
    status = state.attrs.status.history
    if (
        status.deleted
        and status.added
        and status.added[0] not in STATUS_MOVES.get(status.deleted[0], ())
    ):
        raise RuntimeError(
            f"a record's status never moves from {status.deleted[0]} to {status.added[0]}"
        )


@event.listens_for(ServiceRecord, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise RuntimeError("service records are append-only; void or correct instead")


class DisputeStatus(StrEnum):
    """Where a dispute stands: open until an organizer accepts or dismisses it."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


WRONG, MISSING = "wrong", "missing"
_OPEN_SQL = "status = 'open'"


class HoursDispute(db.Model):
    """A volunteer contests a record (错误: wrong) or reports a missing one (缺漏); an
    organizer of the unit accepts (with a correction or a new record) or dismisses it."""

    __tablename__ = "hours_disputes"
    __table_args__ = (
        Index(
            "uq_hours_disputes_open_record",
            "record_id",
            unique=True,
            sqlite_where=text(f"{_OPEN_SQL} AND record_id IS NOT NULL"),
            postgresql_where=text(f"{_OPEN_SQL} AND record_id IS NOT NULL"),
        ),
        Index(
            "uq_hours_disputes_open_missing",
            "user_id",
            "activity_id",
            unique=True,
            sqlite_where=text(f"{_OPEN_SQL} AND record_id IS NULL"),
            postgresql_where=text(f"{_OPEN_SQL} AND record_id IS NULL"),
        ),
        Index("ix_hours_disputes_unit_status", "unit_id", "status", "id"),
        Index("ix_hours_disputes_user_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))  # wrong | missing
    record_id: Mapped[int | None] = mapped_column(ForeignKey("service_records.id"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    claimed_minutes: Mapped[int | None]
    description: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default=DisputeStatus.OPEN)
    resolution_note: Mapped[str] = mapped_column(String(255), default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result_record_id: Mapped[int | None] = mapped_column(ForeignKey("service_records.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    record: Mapped[ServiceRecord | None] = relationship(foreign_keys=[record_id])
    activity: Mapped[Activity | None] = relationship()
    unit: Mapped[Unit] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class HoursLookupKey(db.Model):
    """Keyed hashes (HMAC with DATA_KEY) of "name + last 4 digits" of one volunteer's ID
    number and phone, so the public lookup finds a volunteer with one indexed query and
    decrypts nobody. Kept in step with the volunteer profile by :mod:`api.hours.lookup`."""

    __tablename__ = "hours_lookup_keys"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    name_id_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    name_phone_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()


class CertificateSettings(db.Model):
    """What a unit prints on the certificates it issues: 负责人, 经办人, contact phone."""

    __tablename__ = "unit_certificate_settings"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    principal_name: Mapped[str] = mapped_column(String(40), default="")
    handler_name: Mapped[str] = mapped_column(String(40), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()


class CertificateStatus(StrEnum):
    """A certificate is valid until it is revoked."""

    VALID = "valid"
    REVOKED = "revoked"


class Certificate(db.Model):
    """A 志愿服务记录证明: a masked snapshot of the volunteer's approved hours when issued,
    numbered for people and verified by an unguessable code (in its QR code)."""

    __tablename__ = "certificates"
    __table_args__ = (Index("ix_certificates_user_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    total_minutes: Mapped[int]
    # Masked name and ID, hours, activities, issuer: everything printed, frozen at issue.
    snapshot: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=CertificateStatus.VALID)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str] = mapped_column(String(255), default="")

    unit: Mapped[Unit] = relationship()
