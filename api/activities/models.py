"""Activities, and the weekly series that expand into dated activities."""

from datetime import date, datetime, time

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.activities.vocabulary import LISTED_SQL, ActivityStatus
from api.db_types import UTCDateTime
from api.extensions import db
from api.timeutil import utcnow
from api.units.models import Team, Unit


class ActivitySeries(db.Model):
    """A weekly rule (weekdays, times of day, first and last date) and the template its
    occurrences copy. Editing it changes future occurrences only."""

    __tablename__ = "activity_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    weekdays: Mapped[list[int]] = mapped_column(JSON)  # 0 = Monday … 6 = Sunday
    start_time: Mapped[time]
    end_time: Mapped[time]
    first_date: Mapped[date]
    last_date: Mapped[date]
    template: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Set by the views, not stored: the series' activities.
    occurrences = ()


class Activity(db.Model):
    """One dated activity. ``confirmed_count`` and ``waitlist_count`` are kept in the same
    transaction as the sign-ups they count, under a lock on this row."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_status_starts_at", "status", "starts_at"),
        Index("ix_activities_unit_starts_at", "unit_id", "starts_at"),
        Index("ix_activities_lat_lng", "lat", "lng"),
        # The calendar: listed activities in start order, walked a page at a time.
        Index(
            "ix_activities_calendar",
            "starts_at",
            "id",
            sqlite_where=text(LISTED_SQL),
            postgresql_where=text(LISTED_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("activity_series.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    theme: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    address: Mapped[str] = mapped_column(String(255), default="")
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None]  # None: an open event without a limit
    signup_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signup_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    audience: Mapped[str] = mapped_column(String(16), default="public")
    risk_notice: Mapped[str] = mapped_column(Text, default="")
    # None: no fence. The default radius is set by the schemas and the importer, not here:
    # a column default would also replace an explicit None.
    geofence_metres: Mapped[int | None]
    # Children: the youngest age (on the day) allowed, and whether a guardian must come too.
    min_age: Mapped[int | None]
    guardian_required: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default=ActivityStatus.DRAFT)
    cancel_reason: Mapped[str] = mapped_column(String(255), default="")
    confirmed_count: Mapped[int] = mapped_column(default=0)
    waitlist_count: Mapped[int] = mapped_column(default=0)
    # Bumped by every sign-up change: the UPDATE that bumps it is the row lock.
    lock_version: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")
    team: Mapped[Team | None] = relationship(lazy="joined")
    series: Mapped[ActivitySeries | None] = relationship()

    # Set per request by the views, not stored: the viewer's sign-up, the distance from them.
    my_signup = None
    distance_km = None

    @property
    def planned_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)
