"""The hours ledger (志愿服务记录). Rows are never updated in place or deleted: a correction
is a new record referring to the one it corrects."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db_types import UTCDateTime
from api.extensions import db
from api.timeutil import utcnow

PENDING, APPROVED, REJECTED, VOIDED = "pending", "approved", "rejected", "voided"


class ServiceRecord(db.Model):
    __tablename__ = "service_records"
    __table_args__ = (Index("ix_service_records_user_status", "user_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    credited_minutes: Mapped[int]
    source: Mapped[str] = mapped_column(String(16))  # checkin | manual | help_request
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("service_records.id"))
    reason: Mapped[str] = mapped_column(String(255), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
