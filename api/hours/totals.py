"""Totals of approved hours: my hours, star levels, the honor roll (光荣榜).

Sums are computed in SQL over ``ix_service_records_user_served`` (never by loading rows
into Python), and the total a volunteer sees always equals the sum of the approved records
listed to them (DESIGN §4 invariant 4): the page's statement carries the volunteer's
ledger stamp, which must equal the one the breakdown was grouped with, and the two are read
again should a write land between them.

The stamp (:class:`api.hours.models.LedgerStamp`) is drawn anew by the database in the
transaction of every write of the volunteer's records, whoever makes it, so two readings
with the same stamp saw the same records. A worker thus keeps each volunteer's breakdown
under its stamp: a repeated "my hours" costs the page's statement alone (the stamp is one
primary-key read in it, whatever the number of records), and the breakdown is grouped again
only after a record was added, reviewed, corrected or voided (a dispute accepted does one
of these).
"""

import functools
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import Row, ScalarSelect, Select, bindparam, func, select

from api.accounts.models import User, VolunteerProfile
from api.activities.models import Activity
from api.caching.lru import BoundedCache, app_cache
from api.extensions import db
from api.hours.models import LedgerStamp, RecordStatus, ServiceRecord
from api.pagination import Page
from api.personal_data import mask_name
from api.sql_time import local_month
from api.timeutil import local_day_bounds, to_local, utcnow
from api.units.models import Unit
from api.units.tree import get_unit, in_subtree

#: The app's cache of breakdowns (``app.extensions``), and how many it keeps: one per
#: volunteer and stamp, about 5 KB each (two years of months), 20 MB per worker at most.
BREAKDOWNS_CACHE, BREAKDOWNS_KEPT = "hours_breakdowns", 4096


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


@dataclass(frozen=True)
class Breakdown:
    """Counts and minutes of one volunteer's records: by status, approved minutes by
    category and by local month, and the ledger stamp they were grouped with (None when
    there was nothing to group). Kept and shared by requests once built: never changed."""

    count_by_status: dict[str, int] = field(default_factory=dict)
    minutes_by_status: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_month: dict[str, int] = field(default_factory=dict)
    stamp: int | None = None

    @property
    def approved_minutes(self) -> int:
        return self.minutes_by_status.get(RecordStatus.APPROVED, 0)

    @property
    def pending_minutes(self) -> int:
        return self.minutes_by_status.get(RecordStatus.PENDING, 0)

    def year_minutes(self, year: int) -> int:
        """Approved minutes served in a local year."""
        prefix = f"{year:04d}-"
        return sum(minutes for month, minutes in self.by_month.items() if month.startswith(prefix))


_RECORDS = ServiceRecord.__table__.c


def _stamp_column(user_id) -> ScalarSelect:
    """The volunteer's ledger stamp, one primary-key read, as a column of a statement that
    reads their records (so as of the same moment)."""
    stamps = LedgerStamp.__table__.c
    return select(stamps.stamp).where(stamps.user_id == user_id).scalar_subquery().label("stamp")


@functools.cache
def _breakdown_statement() -> Select:
    # Built once, with the parameter user_id (as the page's statements).
    month = local_month(_RECORDS.served_at)
    return (
        select(
            _RECORDS.status,
            _RECORDS.category,
            month,
            func.count(),
            func.sum(_RECORDS.credited_minutes),
            _stamp_column(bindparam("user_id")),
        )
        .where(_RECORDS.user_id == bindparam("user_id"))
        .group_by(_RECORDS.status, _RECORDS.category, month)
    )


def breakdown(user_id: int) -> Breakdown:
    """One query grouped by status, category and local month over the covering index
    ``ix_service_records_user_served``: at most a row per status, category and month of the
    volunteer's service, however many records they have, each with the ledger stamp."""
    count_by_status, minutes_by_status, by_category, by_month = {}, {}, {}, {}
    grouped = db.session.execute(_breakdown_statement(), {"user_id": user_id}).all()
    for status, category, row_month, count, minutes, _stamp in grouped:
        minutes = int(minutes or 0)
        count_by_status[status] = count_by_status.get(status, 0) + count
        minutes_by_status[status] = minutes_by_status.get(status, 0) + minutes
        if status == RecordStatus.APPROVED:
            label = category or "其他"
            by_category[label] = by_category.get(label, 0) + minutes
            by_month[row_month] = by_month.get(row_month, 0) + minutes
    stamp = grouped[0].stamp if grouped else None
    return Breakdown(count_by_status, minutes_by_status, by_category, by_month, stamp)


def approved_minutes(user_id: int) -> int:
    """The sum of a volunteer's approved records."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(ServiceRecord.credited_minutes), 0)).where(
                ServiceRecord.user_id == user_id, ServiceRecord.status == RecordStatus.APPROVED
            )
        )
    )


#: What a volunteer's record list shows (``MyRecordSchema``), the names joined in.
_RECORD_COLUMNS = (
    _RECORDS.id,
    _RECORDS.activity_id,
    Activity.__table__.c.title.label("activity_title"),
    _RECORDS.unit_id,
    Unit.__table__.c.name.label("unit_name"),
    _RECORDS.category,
    _RECORDS.credited_minutes,
    _RECORDS.source,
    _RECORDS.status,
    _RECORDS.served_at,
    _RECORDS.corrects_id,
    _RECORDS.reason,
    _RECORDS.review_note,
    _RECORDS.reviewed_at,
    _RECORDS.created_at,
)


@functools.cache
def _page_statement(filtered: bool) -> Select:
    # Built once, with parameters (user_id, limit, offset, and status when ``filtered``):
    # the statement and its cache key cost more than running it.
    user_id = bindparam("user_id")
    activities, units = Activity.__table__.c, Unit.__table__.c
    statement = (
        select(*_RECORD_COLUMNS, _stamp_column(user_id))
        .select_from(ServiceRecord.__table__)
        .outerjoin(Activity.__table__, activities.id == _RECORDS.activity_id)
        .join(Unit.__table__, units.id == _RECORDS.unit_id)
        .where(_RECORDS.user_id == user_id)
        .order_by(_RECORDS.served_at.desc(), _RECORDS.id.desc())
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    return statement.where(_RECORDS.status == bindparam("status")) if filtered else statement


def _records_page(
    user_id: int, page: int, per_page: int, status: str | None
) -> tuple[list[Row], int | None]:
    """One page of the volunteer's records as rows of :data:`_RECORD_COLUMNS`, newest
    service first, with the volunteer's ledger stamp read by the same statement (so as of
    the same moment); the stamp is None for an empty page."""
    parameters = {"user_id": user_id, "limit": per_page, "offset": (page - 1) * per_page}
    if status is not None:
        parameters["status"] = status
    rows = db.session.execute(_page_statement(status is not None), parameters).all()
    if not rows:
        return [], None
    return rows, rows[0].stamp


def _kept_breakdowns() -> BoundedCache:
    return app_cache(BREAKDOWNS_CACHE, BREAKDOWNS_KEPT)


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
        return self.totals.year_minutes(self.year)

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
    page of my records (rows of :data:`_RECORD_COLUMNS`).

    The total must equal the sum of the approved records listed (over all pages): the
    page's statement carries the volunteer's ledger stamp, and the breakdown shown is the
    one of that stamp, kept by this worker or grouped again (then its own stamp must match,
    else a write landed in between and both are read again). An empty page lists nothing
    to disagree with.
    """
    kept = _kept_breakdowns()
    for _attempt in range(5):
        records, stamp = _records_page(user.id, page, per_page, status)
        totals = kept.get((user.id, stamp)) if stamp is not None else None
        if totals is None:
            totals = breakdown(user.id)
            if totals.stamp is not None:
                kept.put((user.id, totals.stamp), totals)
        if not records or stamp == totals.stamp:
            break
    total = (
        totals.count_by_status.get(status, 0)
        if status is not None
        else sum(totals.count_by_status.values())
    )
    return MyHours(
        current_year(),
        totals,
        star_for(totals.approved_minutes),
        Page(records, page, per_page, total),
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
