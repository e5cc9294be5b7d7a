"""The points ledger, merchants, their rewards and redemptions.

The ledger is append-only: an entry is never changed or deleted (:func:`_refuse_changes`).
A balance is the sum of a volunteer's entries of the current calendar year, because points
expire at the end of the year they were earned in; the year-end ``expire`` entries only
write that down. Every write to one volunteer's ledger first takes the row lock of their
:class:`PointsAccount`, so two redemptions of one person never both spend the same points.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.accounts.models import User
from api.db_types import UTCDateTime
from api.extensions import db
from api.timeutil import utcnow
from api.units.models import Unit

# Ledger entry kinds: + earned for an approved check-in record, − reversed when that record
# is voided, − redeemed, + refunded when a redemption expires or is cancelled, − expired.
EARN, REVERSE, REDEEM, REFUND, EXPIRE = "earn", "reverse", "redeem", "refund", "expire"
ENTRY_KINDS = (EARN, REVERSE, REDEEM, REFUND, EXPIRE)


class RedemptionStatus(StrEnum):
    """Where a redemption stands: pending until the merchant confirms it, or it expires or is
    cancelled. The members equal their strings, which the database stores and the API answers."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class PointsAccount(db.Model):
    """One row per volunteer with points: the row whose lock serialises writes to their
    ledger (bumping ``lock_version`` is the lock, on SQLite and PostgreSQL alike)."""

    __tablename__ = "points_accounts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    lock_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PointsEntry(db.Model):
    __tablename__ = "points_entries"
    __table_args__ = (
        # A record earns (and is reversed) at most once; a redemption is redeemed and
        # refunded at most once: the database refuses a second entry.
        UniqueConstraint("kind", "service_record_id", name="uq_points_entries_kind_record"),
        UniqueConstraint("kind", "redemption_id", name="uq_points_entries_kind_redemption"),
        # Balance of a year without reading the table; a volunteer's ledger, newest first.
        Index("ix_points_entries_user_year", "user_id", "year", "points"),
        Index("ix_points_entries_user_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[int]  # signed
    # The calendar year (Asia/Shanghai) the points belong to and expire at the end of.
    year: Mapped[int]
    service_record_id: Mapped[int | None] = mapped_column(ForeignKey("service_records.id"))
    redemption_id: Mapped[int | None] = mapped_column(ForeignKey("redemptions.id"))
    note: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(PointsEntry, "before_update")
def _refuse_changes(mapper, connection, target) -> None:
    raise RuntimeError("the points ledger is append-only; add an entry instead")


@event.listens_for(PointsEntry, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise RuntimeError("the points ledger is append-only; add an entry instead")


class Merchant(db.Model):
    """A caring merchant (爱心商家) of a unit, run by its merchant admin."""

    __tablename__ = "merchants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")  # the shop's, public
    description: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")


class Reward(db.Model):
    """Something a merchant gives for points. ``stock`` only moves by conditional UPDATEs
    and the database refuses a negative value."""

    __tablename__ = "rewards"
    __table_args__ = (
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("points_cost > 0", name="points_cost_positive"),
        Index("ix_rewards_merchant_active", "merchant_id", "is_active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    points_cost: Mapped[int]
    stock: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    merchant: Mapped[Merchant] = relationship(lazy="joined")


class Redemption(db.Model):
    """A volunteer's claim on one reward: its code (and QR code) is shown at the merchant,
    who confirms it; unconfirmed by ``expires_at`` it expires and the points come back."""

    __tablename__ = "redemptions"
    __table_args__ = (
        Index("ix_redemptions_user_id", "user_id", "id"),
        Index("ix_redemptions_status_expires", "status", "expires_at"),
        Index("ix_redemptions_merchant_id", "merchant_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reward_id: Mapped[int] = mapped_column(ForeignKey("rewards.id"))
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id"))
    points: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=RedemptionStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # expired, cancelled

    reward: Mapped[Reward] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
