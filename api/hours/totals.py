"""Totals of approved hours: my hours, star levels, the honor roll (光荣榜).

Sums are computed in SQL over ``ix_service_records_user_served`` (never by loading rows
into Python), and the total a volunteer sees always equals the sum of the approved records
listed to them (DESIGN §4 invariant 4): the page's statement carries the volunteer's
checksum (records, approved records, approved minutes), which must equal the grouped
breakdown's, and the two are read again should a review land between them.
"""

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import case, func, select, true

from api.accounts.models import User, VolunteerProfile
from api.activities.models import Activity
from api.extensions import db
from api.hours.models import RecordStatus, ServiceRecord
from api.pagination import Page
from api.personal_data import mask_name
from api.sql_time import local_month
from api.timeutil import local_day_bounds, to_local, utcnow
from api.units.models import Unit
from api.units.tree import get_unit, in_subtree


def current_year() -> int:
    """This year, in local time."""
    return to_local(utcnow()).year


def hours(minutes: int) -> float:
    """Minutes as hours with two decimals, never rounded up (99 h 59 min → 99.98)."""
    return (minutes * 100 // 60) / 100


def hours_up(minutes: int) -> float:
    """Minutes as hours with two decimals, rounded up (what is still missing)."""
    return -((-minutes * 100) // 60) / 100


@dataclass
class Star:
    level: int
    next_level_hours: int | None
    hours_to_next: float | None
    minutes_to_next: int | None


def star_for(approved_minutes: int, thresholds_hours: tuple[int, ...] | None = None) -> Star:
    """The star level of approved minutes: one star per threshold reached (DESIGN §4
    invariant 5); compared in whole minutes, so 99.9 h is still below 100 h."""
    thresholds = sorted(thresholds_hours or current_app.config["STAR_THRESHOLDS_HOURS"])
    level = sum(1 for threshold in thresholds if approved_minutes >= threshold * 60)
    if level == len(thresholds):
        return Star(level, None, None, None)
    missing = thresholds[level] * 60 - approved_minutes
    return Star(level, thresholds[level], hours_up(missing), missing)


@dataclass
class Breakdown:
    """Counts and minutes of one volunteer's records: by status, approved minutes by
    category and by local month."""

    year: int
    count_by_status: dict[str, int] = field(default_factory=dict)
    minutes_by_status: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_month: dict[str, int] = field(default_factory=dict)

    @property
    def approved_minutes(self) -> int:
        return self.minutes_by_status.get(RecordStatus.APPROVED, 0)

    @property
    def pending_minutes(self) -> int:
        return self.minutes_by_status.get(RecordStatus.PENDING, 0)

    @property
    def year_minutes(self) -> int:
        prefix = f"{self.year:04d}-"
        return sum(minutes for month, minutes in self.by_month.items() if month.startswith(prefix))

    @property
    def checksum(self) -> tuple[int, int, int]:
        """What :func:`_checksum_columns` read: records, approved records, approved minutes."""
        return (
            sum(self.count_by_status.values()),
            self.count_by_status.get(RecordStatus.APPROVED, 0),
            self.approved_minutes,
        )


def breakdown(user_id: int, year: int) -> Breakdown:
    """One query grouped by status, category and local month over the covering index
    ``ix_service_records_user_served``: at most a row per status, category and month of the
    volunteer's service, however many records they have."""
    result = Breakdown(year)
    month = local_month(ServiceRecord.served_at)
    grouped = db.session.execute(
        select(
            ServiceRecord.status,
            ServiceRecord.category,
            month,
            func.count(),
            func.sum(ServiceRecord.credited_minutes),
        )
        .where(ServiceRecord.user_id == user_id)
        .group_by(ServiceRecord.status, ServiceRecord.category, month)
    )
    for status, category, row_month, count, minutes in grouped:
        minutes = int(minutes or 0)
        result.count_by_status[status] = result.count_by_status.get(status, 0) + count
        result.minutes_by_status[status] = result.minutes_by_status.get(status, 0) + minutes
        if status == RecordStatus.APPROVED:
            label = category or "其他"
            result.by_category[label] = result.by_category.get(label, 0) + minutes
            result.by_month[row_month] = result.by_month.get(row_month, 0) + minutes
    return result


def _checksum_columns(user_id: int):
    """Records, approved records and approved minutes of a volunteer, as one row: what
    changes when a record is added, reviewed, corrected or voided."""
    is_approved = ServiceRecord.status == RecordStatus.APPROVED
    return select(
        func.count().label("records"),
        func.count(case((is_approved, 1))).label("approved"),
        func.coalesce(
            func.sum(case((is_approved, ServiceRecord.credited_minutes), else_=0)), 0
        ).label("minutes"),
    ).where(ServiceRecord.user_id == user_id)


def approved_minutes(user_id: int) -> int:
    """The sum of a volunteer's approved records."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(ServiceRecord.credited_minutes), 0)).where(
                ServiceRecord.user_id == user_id, ServiceRecord.status == RecordStatus.APPROVED
            )
        )
    )


def _records_page(
    user_id: int, page: int, per_page: int, status: str | None
) -> tuple[list[ServiceRecord], tuple[int, int, int] | None]:
    """One page of the volunteer's records, newest service first, with the activity's
    title and the unit's name joined in, and the volunteer's checksum read by the same
    statement (so as of the same moment); the checksum is None for an empty page."""
    checks = _checksum_columns(user_id).subquery()
    statement = (
        select(
            ServiceRecord,
            Activity.title,
            Unit.name,
            checks.c.records,
            checks.c.approved,
            checks.c.minutes,
        )
        .outerjoin(Activity, Activity.id == ServiceRecord.activity_id)
        .join(Unit, Unit.id == ServiceRecord.unit_id)
        .join(checks, true())
        .where(ServiceRecord.user_id == user_id)
        .order_by(ServiceRecord.served_at.desc(), ServiceRecord.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
        # Read again after a review, the records must show it, not the session's copies.
        .execution_options(populate_existing=True)
    )
    if status is not None:
        statement = statement.where(ServiceRecord.status == status)
    records, checksum = [], None
    for record, activity_title, unit_name, count, approved, minutes in db.session.execute(
        statement
    ):
        record.activity_title, record.unit_name = activity_title, unit_name
        records.append(record)
        checksum = (count, approved, int(minutes))
    return records, checksum


@dataclass
class MyHours:
    year: int
    totals: Breakdown
    star: Star
    records: Page

    @property
    def total_minutes(self) -> int:
        return self.totals.approved_minutes

    @property
    def year_minutes(self) -> int:
        return self.totals.year_minutes

    @property
    def pending_minutes(self) -> int:
        return self.totals.pending_minutes

    @property
    def by_category(self) -> list[dict]:
        """Largest first."""
        return [
            {"category": name, "minutes": minutes}
            for name, minutes in sorted(
                self.totals.by_category.items(), key=lambda item: (-item[1], item[0])
            )
        ]

    @property
    def by_month(self) -> list[dict]:
        """Oldest first (a chart's order)."""
        return [
            {"month": month, "minutes": minutes}
            for month, minutes in sorted(self.totals.by_month.items())
        ]


def my_hours(user: User, page: int = 1, per_page: int = 20, status: str | None = None) -> MyHours:
    """My approved total and this year's, pending hours, the breakdowns, my star and one
    page of my records.

    The total must equal the sum of the approved records listed (over all pages): the
    page's statement carries the volunteer's checksum, which must match the breakdown read
    just before it; both are read again should a review land in between. (An empty page
    lists nothing to disagree with.)
    """
    year = current_year()
    for _attempt in range(5):
        totals = breakdown(user.id, year)
        records, checksum = _records_page(user.id, page, per_page, status)
        if checksum is None or checksum == totals.checksum:
            break
    total = (
        totals.count_by_status.get(status, 0)
        if status is not None
        else sum(totals.count_by_status.values())
    )
    return MyHours(
        year, totals, star_for(totals.approved_minutes), Page(records, page, per_page, total)
    )


@dataclass
class HonorRollEntry:
    rank: int
    user_id: int
    name: str
    approved_minutes: int
    star: Star


def honor_roll(unit_id: int, year: int | None = None, limit: int = 10) -> list[HonorRollEntry]:
    """Volunteers registered in the unit's subtree with the most approved hours served in
    a local year, names masked. :raises UnitNotFound:"""
    unit = get_unit(unit_id)
    year = year or current_year()
    start, end = local_day_bounds(date(year, 1, 1), date(year, 12, 31))
    minutes = func.sum(ServiceRecord.credited_minutes).label("minutes")
    rows = db.session.execute(
        select(ServiceRecord.user_id, minutes, VolunteerProfile.real_name)
        .join(VolunteerProfile, VolunteerProfile.user_id == ServiceRecord.user_id)
        .join(Unit, Unit.id == VolunteerProfile.unit_id)
        .where(
            ServiceRecord.status == RecordStatus.APPROVED,
            ServiceRecord.served_at >= start,
            ServiceRecord.served_at < end,
            in_subtree(unit),
        )
        .group_by(ServiceRecord.user_id, VolunteerProfile.real_name)
        .order_by(minutes.desc(), ServiceRecord.user_id)
        .limit(limit)
    ).all()
    # Stars count all approved hours, not only this year's: one more grouped query.
    lifetime = dict(
        db.session.execute(
            select(ServiceRecord.user_id, func.sum(ServiceRecord.credited_minutes))
            .where(
                ServiceRecord.user_id.in_([row.user_id for row in rows]),
                ServiceRecord.status == RecordStatus.APPROVED,
            )
            .group_by(ServiceRecord.user_id)
        ).all()
    )
    return [
        HonorRollEntry(
            rank,
            row.user_id,
            mask_name(row.real_name),
            int(row.minutes),
            star_for(int(lifetime.get(row.user_id) or 0)),
        )
        for rank, row in enumerate(rows, start=1)
    ]
