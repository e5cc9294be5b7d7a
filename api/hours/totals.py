"""Totals of approved hours: my hours, star levels, the honor roll (光荣榜).

Sums are computed in SQL over ``ix_service_records_user_served`` (never by loading rows
into Python), and the total a volunteer sees always equals the sum of the approved records
listed to them (DESIGN §4 invariant 4): the page query carries the same sum as a window
aggregate, and the two are read again should a review land between them.
"""

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import String, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from api.accounts.models import User, VolunteerProfile
from api.extensions import db
from api.hours.models import APPROVED, PENDING, ServiceRecord
from api.pagination import Page
from api.personal_data import mask_name
from api.timeutil import local_day_bounds, to_local, utcnow
from api.units.models import Unit
from api.units.services import get_unit, in_subtree

# Asia/Shanghai has kept UTC+8 without daylight saving since 1991, so a fixed shift turns
# the stored UTC time into the local month.
_LOCAL_OFFSET_HOURS = 8


class local_month(FunctionElement):  # noqa: N801 (a SQL function, named like one)
    """``YYYY-MM`` of a stored UTC datetime, in local time."""

    type = String()
    inherit_cache = True


@compiles(local_month, "sqlite")
def _local_month_sqlite(element, compiler, **kw):
    (moment,) = element.clauses
    return f"strftime('%Y-%m', {compiler.process(moment, **kw)}, '+{_LOCAL_OFFSET_HOURS} hours')"


@compiles(local_month, "postgresql")
def _local_month_postgresql(element, compiler, **kw):
    (moment,) = element.clauses
    return (f"to_char({compiler.process(moment, **kw)} + interval '{_LOCAL_OFFSET_HOURS} hours',"
            f" 'YYYY-MM')")


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
    """Approved and pending minutes of one volunteer, by category and local month."""

    approved_minutes: int = 0
    year_minutes: int = 0
    pending_minutes: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    by_month: dict[str, int] = field(default_factory=dict)


def breakdown(user_id: int, year: int) -> Breakdown:
    """One grouped query: a few dozen rows however many records the volunteer has."""
    month = local_month(ServiceRecord.served_at)
    rows = db.session.execute(
        select(ServiceRecord.status, ServiceRecord.category, month,
               func.sum(ServiceRecord.credited_minutes))
        .where(ServiceRecord.user_id == user_id,
               ServiceRecord.status.in_((APPROVED, PENDING)))
        .group_by(ServiceRecord.status, ServiceRecord.category, month)
    )
    result = Breakdown()
    prefix = f"{year:04d}-"
    for status, category, row_month, minutes in rows:
        minutes = int(minutes or 0)
        if status == PENDING:
            result.pending_minutes += minutes
            continue
        result.approved_minutes += minutes
        if row_month.startswith(prefix):
            result.year_minutes += minutes
        label = category or "其他"
        result.by_category[label] = result.by_category.get(label, 0) + minutes
        result.by_month[row_month] = result.by_month.get(row_month, 0) + minutes
    return result


def approved_minutes(user_id: int) -> int:
    """The sum of a volunteer's approved records."""
    return int(db.session.scalar(
        select(func.coalesce(func.sum(ServiceRecord.credited_minutes), 0))
        .where(ServiceRecord.user_id == user_id, ServiceRecord.status == APPROVED)
    ))


def _records_page(user_id: int, page: int, per_page: int, status: str | None):
    """One page of the volunteer's records, with the count and the approved sum over all
    of them computed by the same statement."""
    approved = case((ServiceRecord.status == APPROVED, ServiceRecord.credited_minutes), else_=0)
    statement = (
        select(ServiceRecord, func.count().over().label("total"),
               func.sum(approved).over().label("approved_sum"))
        .where(ServiceRecord.user_id == user_id)
        .order_by(ServiceRecord.served_at.desc(), ServiceRecord.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    )
    if status is not None:
        statement = statement.where(ServiceRecord.status == status)
    rows = db.session.execute(statement).all()
    if rows:
        return [row[0] for row in rows], rows[0].total, int(rows[0].approved_sum or 0)
    if page == 1:
        return [], 0, 0
    # Past the last page: the window functions had no row to ride on.
    total = db.session.scalar(select(func.count()).where(ServiceRecord.user_id == user_id,
                                                         *([ServiceRecord.status == status]
                                                           if status else [])))
    return [], total, None


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
        return [{"category": name, "minutes": minutes} for name, minutes
                in sorted(self.totals.by_category.items(), key=lambda item: (-item[1], item[0]))]

    @property
    def by_month(self) -> list[dict]:
        """Oldest first (a chart's order)."""
        return [{"month": month, "minutes": minutes}
                for month, minutes in sorted(self.totals.by_month.items())]


def my_hours(user: User, page: int = 1, per_page: int = 20,
             status: str | None = None) -> MyHours:
    """My approved total and this year's, pending hours, the breakdowns, my star and one
    page of my records."""
    year = to_local(utcnow()).year
    for _attempt in range(3):
        totals = breakdown(user.id, year)
        records, total, approved_sum = _records_page(user.id, page, per_page, status)
        # The page's window sum covers every record of the list; unfiltered, it must equal
        # the breakdown's total, or a review landed in between: read both again.
        if status is not None or approved_sum is None or approved_sum == totals.approved_minutes:
            break
    return MyHours(year, totals, star_for(totals.approved_minutes),
                   Page(records, page, per_page, total))


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
    year = year or to_local(utcnow()).year
    start, end = local_day_bounds(date(year, 1, 1), date(year, 12, 31))
    minutes = func.sum(ServiceRecord.credited_minutes).label("minutes")
    rows = db.session.execute(
        select(ServiceRecord.user_id, minutes, VolunteerProfile.real_name)
        .join(VolunteerProfile, VolunteerProfile.user_id == ServiceRecord.user_id)
        .join(Unit, Unit.id == VolunteerProfile.unit_id)
        .where(ServiceRecord.status == APPROVED, ServiceRecord.served_at >= start,
               ServiceRecord.served_at < end, in_subtree(unit))
        .group_by(ServiceRecord.user_id, VolunteerProfile.real_name)
        .order_by(minutes.desc(), ServiceRecord.user_id)
        .limit(limit)
    ).all()
    # Stars count all approved hours, not only this year's: one more grouped query.
    lifetime = dict(db.session.execute(
        select(ServiceRecord.user_id, func.sum(ServiceRecord.credited_minutes))
        .where(ServiceRecord.user_id.in_([row.user_id for row in rows]),
               ServiceRecord.status == APPROVED)
        .group_by(ServiceRecord.user_id)
    ).all())
    return [HonorRollEntry(rank, row.user_id, mask_name(row.real_name), int(row.minutes),
                           star_for(int(lifetime.get(row.user_id) or 0)))
            for rank, row in enumerate(rows, start=1)]
