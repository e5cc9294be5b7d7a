"""Statistics for officials and the big screen: volunteers, teams, activities, service
hours and help requests of a subtree, by township, category and month.

Every number is counted in SQL, grouped by unit (and category, month, status) so one query
per kind of thing answers totals and all three breakdowns; the small grouped result is
folded into townships in Python. The numbers are the ones the other endpoints list:

* ``teams`` — ``GET /teams?unit_id=``;
* ``activities`` — the calendar (published and finished activities, by local start date):
  ``GET /activities?unit_id=&start=&end=``;
* ``service_minutes`` — approved service records by local date of service, the reports' sum;
* ``help_requests`` — by local date of submission; unrated ones past HELP_AUTO_RATE_DAYS
  count as rated "satisfied" (read as such; the periodic task writes it down).

Answers are cached per process for ``STATS_CACHE_SECONDS``; the view keeps the bytes in the
public response cache (family ``stats``) until a snapshot is stored or the answer grows old.
"""

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import distinct, func, literal_column, select

from api.accounts.models import VolunteerProfile
from api.activities.models import Activity
from api.activities.vocabulary import ActivityStatus
from api.caching.public import expire_at
from api.errors import ValidationFailed
from api.extensions import db
from api.help import ratings as help_ratings
from api.help.models import HelpRequest
from api.help.states import HelpStatus
from api.hours.models import RecordStatus, ServiceRecord
from api.hours.totals import hours
from api.sql_time import local_month
from api.stats.snapshots import TOWNSHIP_LEVEL, read_snapshot, store_snapshot
from api.timeutil import local_day_bounds, to_local, utcnow
from api.transactions import atomic
from api.units.categories import TEAM_CATEGORIES
from api.units.models import Team, Unit
from api.units.tree import get_unit, in_subtree

CALENDAR_STATUSES = (ActivityStatus.PUBLISHED, ActivityStatus.FINISHED)
SATISFIED_FROM = 4  # stars
_CACHE_SIZE = 256
_cache_lock = threading.Lock()


# --- SQL helpers ----------------------------------------------------------------------------


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def seconds_between(start, end):
    """``end - start`` in seconds, computed by the database."""
    if _dialect() == "postgresql":
        return func.extract("epoch", end) - func.extract("epoch", start)
    return (func.julianday(end) - func.julianday(start)) * literal_column("86400.0")


def _bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    start = local_day_bounds(first, first)[0] if first else None
    end = local_day_bounds(last, last)[1] if last else None
    return start, end


def _in_range(column, start: datetime | None, end: datetime | None) -> list:
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return conditions


def _month_bounds(now: datetime) -> tuple[datetime, datetime]:
    today = to_local(now).date()
    first = today.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return local_day_bounds(first, following - timedelta(days=1))


def _year_bounds(now: datetime) -> tuple[datetime, datetime]:
    year = to_local(now).year
    return local_day_bounds(date(year, 1, 1), date(year, 12, 31))


# --- the answer ----------------------------------------------------------------------------


def statistics(
    unit_id: int | None = None, first: date | None = None, last: date | None = None
) -> dict:
    """The statistics of a unit's subtree (or the county) between two local dates
    (inclusive, both optional), from the cache when fresh.

    :raises UnitNotFound: :raises ValidationFailed: ``from`` after ``to``.
    """
    if first and last and first > last:
        raise ValidationFailed(errors={"to": ["结束日期不能早于开始日期"]})
    unit = get_unit(unit_id) if unit_id is not None else None
    if first is None and last is None:
        kept = read_snapshot(unit_id)
        if kept is not None:
            max_age = current_app.config["STATS_SNAPSHOT_MAX_AGE_SECONDS"]
            expire_at(kept["generated_at"] + timedelta(seconds=max_age))
            return kept
    ttl = current_app.config["STATS_CACHE_SECONDS"]
    key = (unit_id, first, last, to_local(utcnow()).date())
    cache = current_app.extensions.setdefault("stats_cache", {})
    with _cache_lock:
        cached = cache.get(key)
    now = utcnow()
    if ttl > 0 and cached and now < cached[0]:
        expire_at(cached[0])
        return cached[1]
    answer = compute(unit, first, last, now)
    expires = now + timedelta(seconds=max(ttl, 0))
    expire_at(expires)
    if ttl > 0:
        with _cache_lock:
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            cache[key] = (expires, answer)
    return answer


class _Buckets:
    """The townships of a scope: each unit's bucket (a station counts in its institute,
    the center in itself), and the rows of the answer's ``by_township``."""

    def __init__(self, scope: Unit | None) -> None:
        statement = select(Unit.id, Unit.code, Unit.name, Unit.level, Unit.parent_id, Unit.path)
        units = {row.id: row for row in db.session.execute(statement)}
        self.township_of = {}
        for row in units.values():
            self.township_of[row.id] = row.parent_id if row.level == "station" else row.id
        if scope is None:
            shown = {self.township_of[unit_id] for unit_id in units}
        else:
            shown = {
                self.township_of[unit_id]
                for unit_id, row in units.items()
                if row.path == scope.path or row.path.startswith(scope.path + "/")
            }
        self.rows = {
            township_id: {
                "unit_id": township_id,
                "code": units[township_id].code,
                "name": units[township_id].name,
                "level": units[township_id].level,
                "volunteers": 0,
                "teams": 0,
                "activities": 0,
                "service_minutes": 0,
                "help_requests": 0,
            }
            for township_id in shown
            if township_id is not None
        }

    def add(self, unit_id: int, field: str, amount: int) -> None:
        township_id = self.township_of.get(unit_id)
        if township_id in self.rows:
            self.rows[township_id][field] += amount

    def listed(self) -> list[dict]:
        rows = sorted(self.rows.values(), key=lambda row: row["code"])
        return [{**row, "service_hours": hours(row["service_minutes"])} for row in rows]


class _Series:
    """Rows keyed by category or month, with zeros for what was not found."""

    def __init__(self, key_name: str, keys=()) -> None:
        self.key_name = key_name
        self.rows: dict[str, dict] = {}
        for key in keys:
            self._row(key)

    def _row(self, key: str) -> dict:
        return self.rows.setdefault(
            key,
            {
                self.key_name: key,
                "teams": 0,
                "activities": 0,
                "service_minutes": 0,
                "help_requests": 0,
            },
        )

    def add(self, key: str | None, field: str, amount: int) -> None:
        if key is not None:
            self._row(key)[field] += amount

    def listed(self, *, sort: bool = False, drop: tuple[str, ...] = ()) -> list[dict]:
        rows = (
            sorted(self.rows.values(), key=lambda row: row[self.key_name])
            if sort
            else list(self.rows.values())
        )
        return [
            {
                **{name: value for name, value in row.items() if name not in drop},
                "service_hours": hours(row["service_minutes"]),
            }
            for row in rows
        ]


def _months(first: date | None, last: date | None) -> list[str]:
    if not (first and last):
        return []
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _scoped(statement, unit_column, scope: Unit | None):
    if scope is None:
        return statement
    return statement.join(Unit, Unit.id == unit_column).where(in_subtree(scope))


@dataclass
class _Breakdowns:
    """The three breakdowns every tally adds its grouped rows to: by township, by category
    and by month (a ``None`` category or month is counted in the townships only)."""

    townships: _Buckets
    categories: _Series
    months: _Series

    def add(
        self,
        field: str,
        amount: int,
        unit_id: int,
        category: str | None = None,
        month: str | None = None,
    ) -> None:
        self.townships.add(unit_id, field, amount)
        self.categories.add(category, field, amount)
        self.months.add(month, field, amount)


def _count_volunteers(scope: Unit | None, breakdowns: _Breakdowns) -> int:
    """Registered volunteers, counted in their own unit."""
    total = 0
    for row in db.session.execute(
        _scoped(
            select(VolunteerProfile.unit_id, func.count().label("volunteers")).group_by(
                VolunteerProfile.unit_id
            ),
            VolunteerProfile.unit_id,
            scope,
        )
    ):
        total += row.volunteers
        breakdowns.add("volunteers", row.volunteers, row.unit_id)
    return total


def _count_teams(scope: Unit | None, breakdowns: _Breakdowns) -> int:
    """Teams, by unit and category (a team has no month)."""
    total = 0
    for row in db.session.execute(
        _scoped(
            select(Team.unit_id, Team.category, func.count().label("teams")).group_by(
                Team.unit_id, Team.category
            ),
            Team.unit_id,
            scope,
        )
    ):
        total += row.teams
        breakdowns.add("teams", row.teams, row.unit_id, row.category)
    return total


def _count_activities(
    scope: Unit | None, start: datetime | None, end: datetime | None, breakdowns: _Breakdowns
) -> int:
    """The calendar's activities starting in the range, by unit, category and local month."""
    month = local_month(Activity.starts_at).label("month")
    total = 0
    for row in db.session.execute(
        _scoped(
            select(Activity.unit_id, Activity.category, month, func.count().label("activities"))
            .where(
                Activity.status.in_(CALENDAR_STATUSES), *_in_range(Activity.starts_at, start, end)
            )
            .group_by(Activity.unit_id, Activity.category, month),
            Activity.unit_id,
            scope,
        )
    ):
        total += row.activities
        breakdowns.add("activities", row.activities, row.unit_id, row.category, row.month)
    return total


def _count_calendar_activities(scope: Unit | None, start: datetime, end: datetime) -> int:
    """The calendar's activities starting in the range, as one number."""
    return db.session.scalar(
        _scoped(
            select(func.count(Activity.id)).where(
                Activity.status.in_(CALENDAR_STATUSES), *_in_range(Activity.starts_at, start, end)
            ),
            Activity.unit_id,
            scope,
        )
    )


def _sum_service_minutes(
    scope: Unit | None, start: datetime | None, end: datetime | None, breakdowns: _Breakdowns
) -> int:
    """Approved service minutes served in the range, by unit, category and local month."""
    month = local_month(ServiceRecord.served_at).label("month")
    total = 0
    for row in db.session.execute(
        _scoped(
            select(
                ServiceRecord.unit_id,
                ServiceRecord.category,
                month,
                func.sum(ServiceRecord.credited_minutes).label("minutes"),
            )
            .where(
                ServiceRecord.status == RecordStatus.APPROVED,
                *_in_range(ServiceRecord.served_at, start, end),
            )
            .group_by(ServiceRecord.unit_id, ServiceRecord.category, month),
            ServiceRecord.unit_id,
            scope,
        )
    ):
        minutes = int(row.minutes or 0)
        total += minutes
        breakdowns.add("service_minutes", minutes, row.unit_id, row.category, row.month)
    return total


def _count_active_volunteers(scope: Unit | None, now: datetime) -> int:
    """本月活跃: registered volunteers (counted, like ``registered``, in their own unit) with
    an approved or pending record served in this local month. Never more than registered."""
    return db.session.scalar(
        _scoped(
            select(func.count(distinct(VolunteerProfile.user_id)))
            .join(ServiceRecord, ServiceRecord.user_id == VolunteerProfile.user_id)
            .where(
                ServiceRecord.status.in_((RecordStatus.PENDING, RecordStatus.APPROVED)),
                *_in_range(ServiceRecord.served_at, *_month_bounds(now)),
            ),
            VolunteerProfile.unit_id,
            scope,
        )
    )


def _count_help_requests(
    scope: Unit | None,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
    breakdowns: _Breakdowns,
) -> dict[str, int]:
    """Help requests submitted in the range by the status a reader sees (every status
    listed, zeros included), and by unit, category and local month."""
    by_status = dict.fromkeys(HelpStatus, 0)
    month = local_month(HelpRequest.created_at).label("month")
    # Overdue ratings count as rated "satisfied" before the periodic task writes them.
    shown_status = help_ratings.effective_status(now).label("status")
    for row in db.session.execute(
        _scoped(
            select(
                HelpRequest.unit_id,
                HelpRequest.category,
                shown_status,
                month,
                func.count().label("requests"),
            )
            .where(*_in_range(HelpRequest.created_at, start, end))
            .group_by(HelpRequest.unit_id, HelpRequest.category, shown_status, month),
            HelpRequest.unit_id,
            scope,
        )
    ):
        by_status[row.status] = by_status.get(row.status, 0) + row.requests
        breakdowns.add("help_requests", row.requests, row.unit_id, row.category, row.month)
    return by_status


def _help_quality(
    scope: Unit | None, start: datetime | None, end: datetime | None, now: datetime
) -> dict:
    """Ratings and dispatch times of the help requests submitted in the range."""
    rating = help_ratings.effective_rating(now)
    dispatch_seconds = seconds_between(HelpRequest.created_at, HelpRequest.dispatched_at)
    quality = db.session.execute(
        _scoped(
            select(
                func.count(rating).label("rated"),
                func.avg(rating).label("average_rating"),
                func.count(HelpRequest.id).filter(rating >= SATISFIED_FROM).label("satisfied"),
                func.count(HelpRequest.dispatched_at).label("dispatched"),
                func.avg(dispatch_seconds).label("average_dispatch_seconds"),
            ).where(*_in_range(HelpRequest.created_at, start, end)),
            HelpRequest.unit_id,
            scope,
        )
    ).one()
    return {
        "rated": quality.rated,
        "average_rating": _rounded(quality.average_rating, 2),
        "satisfied": quality.satisfied,
        "dispatched": quality.dispatched,
        "average_dispatch_minutes": _rounded(quality.average_dispatch_seconds, 1, per=60),
    }


def _rounded(value, digits: int, *, per: int = 1) -> float | None:
    """An average from the database (None when there was nothing to average) divided by
    ``per`` and rounded to ``digits``."""
    return None if value is None else round(float(value) / per, digits)


def compute(scope: Unit | None, first: date | None, last: date | None, now: datetime) -> dict:
    """Every tally of a scope (None: the county) between two local dates, as of ``now``."""
    start, end = _bounds(first, last)
    breakdowns = _Breakdowns(
        _Buckets(scope),
        _Series("category", TEAM_CATEGORIES),
        _Series("month", _months(first, last)),
    )
    volunteers = _count_volunteers(scope, breakdowns)
    teams = _count_teams(scope, breakdowns)
    activities = _count_activities(scope, start, end, breakdowns)
    minutes = _sum_service_minutes(scope, start, end, breakdowns)
    help_by_status = _count_help_requests(scope, start, end, now, breakdowns)
    return {
        "unit_id": scope.id if scope else None,
        "unit_name": scope.name if scope else None,
        "from": first,
        "to": last,
        "generated_at": now,
        "volunteers": {
            "registered": volunteers,
            "active_this_month": _count_active_volunteers(scope, now),
        },
        "teams": teams,
        "activities": {
            "total": activities,
            "this_year": _count_calendar_activities(scope, *_year_bounds(now)),
            "this_month": _count_calendar_activities(scope, *_month_bounds(now)),
        },
        "service_minutes": minutes,
        "service_hours": hours(minutes),
        "help_requests": {
            "total": sum(help_by_status.values()),
            "by_status": help_by_status,
            **_help_quality(scope, start, end, now),
        },
        "by_township": breakdowns.townships.listed(),
        "by_category": breakdowns.categories.listed(),
        "by_month": breakdowns.months.listed(sort=True, drop=("teams",)),
    }


def refresh_snapshots() -> dict:
    """Compute and store the answers of the county and every township (idempotent)."""
    now = utcnow()
    townships = list(db.session.scalars(select(Unit).where(Unit.level == TOWNSHIP_LEVEL)))
    for scope in (None, *townships):
        with atomic():
            store_snapshot(scope.id if scope else None, compute(scope, None, None, now), now)
    return {"scopes": 1 + len(townships)}
