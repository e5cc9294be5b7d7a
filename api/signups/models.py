"""Sign-ups and attendance."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.accounts.models import User
from api.activities.models import Activity
from api.db_types import UTCDateTime
from api.extensions import db
from api.timeutil import utcnow


class SignupStatus(StrEnum):
    """Where a sign-up stands. The members equal their strings, which the database stores and
    the API answers."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


# A sign-up that still holds (or waits for) its place: at most one per user and activity.
ACTIVE_STATUSES = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED, SignupStatus.ATTENDED)
_ACTIVE_SQL = "status IN ('confirmed', 'waitlisted', 'attended')"
# The partial unique index's condition: an insert names it to skip a second active sign-up.
ACTIVE_SIGNUP = text(_ACTIVE_SQL)


class Signup(db.Model):
    """One person's place (or place in the queue) at one activity.

    The partial unique index lets the database, not Python, refuse a second active
    sign-up of one user for one activity. The waitlist is FIFO by ``id``.
    """

    __tablename__ = "signups"
    __table_args__ = (
        Index(
            "uq_signups_active_user",
            "activity_id",
            "user_id",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
        Index("ix_signups_activity_status", "activity_id", "status", "id"),
        Index("ix_signups_user_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16))
    assisted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    activity: Mapped[Activity] = relationship()
    # Place in the queue and the person's no-shows, set by the roster query (not stored).
    position = None
    no_show_count = 0
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    attendance: Mapped["Attendance | None"] = relationship(back_populates="signup", uselist=False)


class Attendance(db.Model):
    """Check-in and check-out of one sign-up; the distance from the venue, never the
    coordinates, is kept."""

    __tablename__ = "attendances"

    id: Mapped[int] = mapped_column(primary_key=True)
    signup_id: Mapped[int] = mapped_column(ForeignKey("signups.id"), unique=True)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    method: Mapped[str] = mapped_column(String(16), default="qr")  # qr | staff | hotline
    distance_metres: Mapped[int | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(255), default="")

    signup: Mapped[Signup] = relationship(back_populates="attendance")
