"""Activities: the rules for organising them and the calendar queries residents run."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, or_, select, text

from api.accounts import roles
from api.accounts.models import User
from api.activities.lookup import get_managed_activity, lock_activity
from api.activities.models import Activity
from api.activities.vocabulary import LISTED_SQL, ActivityStatus
from api.audit.services import record as audit
from api.auth.permissions import covers, ensure_manages, scope_condition
from api.errors import Conflict, Forbidden, ValidationFailed
from api.extensions import db
from api.geo import bounding_box, distance_metres
from api.notifications import services as notifications
from api.signups.services import active_user_ids, promote_waitlist
from api.sql_time import local_date
from api.timeutil import local_day_bounds, to_local, utcnow
from api.transactions import atomic
from api.units.models import Team, Unit
from api.units.tree import get_unit, in_subtree

# Fields whose change moves an activity for the people signed up to it.
_MOVING_FIELDS = ("starts_at", "ends_at", "address", "lat", "lng")


class InvalidActivityState(Conflict):
    error, message = "invalid_activity_state", "活动当前状态不允许此操作"


class CapacityBelowConfirmed(Conflict):
    error, message = "capacity_below_confirmed", "名额不能少于已确认报名人数"


class TeamOutOfScope(Forbidden):
    error, message = "team_out_of_scope", "只能选择本单位及下级单位的志愿服务队"


def _check_times(values: dict) -> None:
    starts_at, ends_at = values["starts_at"], values["ends_at"]
    if ends_at <= starts_at:
        raise ValidationFailed(errors={"ends_at": ["结束时间应晚于开始时间"]})
    closes = values.get("signup_closes_at")
    opens = values.get("signup_opens_at")
    if opens and closes and closes <= opens:
        raise ValidationFailed(errors={"signup_closes_at": ["报名截止时间应晚于报名开始时间"]})


def check_unit_and_team(actor: User, values: dict) -> None:
    """Check that ``unit_id`` (if given) is in the actor's subtree and that ``team_id`` names
    a team of a unit the actor organizes too (admin rights cover a subtree, DESIGN §3).

    :raises ValidationFailed: unknown unit or team. :raises Forbidden: unit outside the
        subtree. :raises TeamOutOfScope: another unit's team.
    """
    if "unit_id" in values:
        unit = db.session.get(Unit, values["unit_id"])
        if unit is None:
            raise ValidationFailed(errors={"unit_id": ["所选单位不存在"]})
        ensure_manages(actor, unit, roles.ORGANIZER_ROLES)
    if values.get("team_id") is not None:
        team = db.session.get(Team, values["team_id"])
        if team is None:
            raise ValidationFailed(errors={"team_id": ["所选志愿服务队不存在"]})
        if not covers(actor, team.unit, roles.ORGANIZER_ROLES):
            raise TeamOutOfScope(errors={"team_id": ["只能选择本单位及下级单位的志愿服务队"]})


@atomic()
def create_activity(actor: User, values: dict) -> Activity:
    """Create a draft activity in a unit of the actor's subtree.

    :raises Forbidden: outside the actor's subtree. :raises ValidationFailed: bad times.
    """
    check_unit_and_team(actor, values)
    _check_times(values)
    activity = Activity(**values, status=ActivityStatus.DRAFT, created_by_id=actor.id)
    db.session.add(activity)
    db.session.flush()
    audit(actor, "activity.create", "activity", activity.id)
    return activity


@atomic()
def update_activity(actor: User, activity_id: int, changes: dict) -> Activity:
    """Edit an activity; people signed up hear of a move, a raised capacity promotes the
    waitlist. Inside a series edit it joins the series' unit.

    :raises InvalidActivityState: for cancelled or finished activities.
    :raises CapacityBelowConfirmed: when capacity would drop below the confirmed places.
    """
    activity = get_managed_activity(actor, activity_id)
    if activity.status in (ActivityStatus.CANCELLED, ActivityStatus.FINISHED):
        raise InvalidActivityState()
    check_unit_and_team(actor, changes)
    activity = lock_activity(activity_id)
    merged = {
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "signup_opens_at": activity.signup_opens_at,
        "signup_closes_at": activity.signup_closes_at,
        **changes,
    }
    _check_times(merged)
    if (
        "capacity" in changes
        and changes["capacity"] is not None
        and changes["capacity"] < activity.confirmed_count
    ):
        raise CapacityBelowConfirmed()
    moved = [
        name
        for name in _MOVING_FIELDS
        if name in changes and changes[name] != getattr(activity, name)
    ]
    for name, value in changes.items():
        setattr(activity, name, value)
    promote_waitlist(activity)
    if moved and activity.status == ActivityStatus.PUBLISHED:
        local_start = to_local(activity.starts_at).strftime("%Y年%-m月%-d日 %H:%M")
        notifications.notify(
            active_user_ids(activity.id),
            notifications.ACTIVITY_CHANGED,
            f"活动变更：{activity.title}",
            f"时间地点已更新：{local_start}，{activity.address}",
            {"activity_id": activity.id, "changed": moved},
        )
    audit(actor, "activity.update", "activity", activity.id, details={"changed": sorted(changes)})
    return activity


@atomic()
def publish_activity(actor: User, activity_id: int) -> Activity:
    """Publish a draft. :raises InvalidActivityState: unless it is a draft."""
    activity = get_managed_activity(actor, activity_id)
    if activity.status != ActivityStatus.DRAFT:
        raise InvalidActivityState("只有草稿状态的活动可以发布")
    activity.status = ActivityStatus.PUBLISHED
    audit(actor, "activity.publish", "activity", activity.id)
    return activity


@atomic()
def cancel_activity(actor: User, activity_id: int, reason: str) -> Activity:
    """Cancel an activity and tell everyone signed up. Inside a series edit it joins the
    series' unit.

    :raises InvalidActivityState: when already cancelled or finished.
    """
    activity = get_managed_activity(actor, activity_id)
    if activity.status in (ActivityStatus.CANCELLED, ActivityStatus.FINISHED):
        raise InvalidActivityState()
    activity = lock_activity(activity_id)
    activity.status = ActivityStatus.CANCELLED
    activity.cancel_reason = reason
    notifications.notify(
        active_user_ids(activity.id),
        notifications.ACTIVITY_CANCELLED,
        f"活动取消：{activity.title}",
        reason,
        {"activity_id": activity.id},
    )
    audit(actor, "activity.cancel", "activity", activity.id, reason=reason)
    return activity


def signup_open(activity: Activity, now: datetime | None = None) -> bool:
    """Whether the activity takes sign-ups right now."""
    now = now or utcnow()
    if activity.status != ActivityStatus.PUBLISHED:
        return False
    if activity.signup_opens_at and now < activity.signup_opens_at:
        return False
    return now < (activity.signup_closes_at or activity.starts_at)


def next_signup_change(activity: Activity, now: datetime) -> datetime | None:
    """When :func:`signup_open` of ``activity`` next changes by the clock alone (None: it
    never will without a write)."""
    if activity.status != ActivityStatus.PUBLISHED:
        return None
    moments = (activity.signup_opens_at, activity.signup_closes_at or activity.starts_at)
    return min((moment for moment in moments if moment and moment > now), default=None)


def first_end(statement: Select) -> datetime | None:
    """When the first activity of a calendar query ends (None for none)."""
    listed = statement.order_by(None).subquery()
    return db.session.scalar(select(func.min(listed.c.ends_at)))


@dataclass
class CalendarFilters:
    start: date
    end: date
    unit_id: int | None = None
    theme: str | None = None
    category: str | None = None
    audience: str | None = None
    q: str | None = None
    upcoming: bool = False


def calendar_query(filters: CalendarFilters) -> Select:
    """Published (and finished) activities starting on local days start..end inclusive,
    in start order; with ``upcoming`` only those not yet ended.
    :raises UnitNotFound: for an unknown ``unit_id``."""
    start_utc, end_utc = local_day_bounds(filters.start, filters.end)
    statement = (
        select(Activity)
        .where(
            text(f"activities.{LISTED_SQL}"),
            Activity.starts_at >= start_utc,
            Activity.starts_at < end_utc,
        )
        .order_by(Activity.starts_at, Activity.id)
    )
    if filters.upcoming:
        statement = statement.where(Activity.ends_at > utcnow())
    if filters.unit_id is not None:
        statement = statement.join(Activity.unit).where(in_subtree(get_unit(filters.unit_id)))
    for name in ("theme", "category", "audience"):
        value = getattr(filters, name)
        if value is not None:
            statement = statement.where(getattr(Activity, name) == value)
    if filters.q:
        statement = statement.where(_matching(filters.q))
    return statement


def _matching(text: str):
    """A SQL condition: the title or the address contains ``text``."""
    pattern = f"%{text.strip()}%"
    return or_(
        Activity.title.like(pattern, escape="\\"), Activity.address.like(pattern, escape="\\")
    )


def nearby(statement: Select, lat: float, lng: float, radius_km: float) -> list[Activity]:
    """The activities of ``statement`` within ``radius_km``, nearest first, each with a
    ``distance_km`` attribute. A bounding box in SQL narrows the rows first."""
    radius_metres = radius_km * 1000
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius_metres)
    boxed = statement.where(
        Activity.lat.between(min_lat, max_lat), Activity.lng.between(min_lng, max_lng)
    )
    found = []
    for activity in db.session.scalars(boxed):
        metres = distance_metres(lat, lng, activity.lat, activity.lng)
        if metres <= radius_metres:
            activity.distance_km = round(metres / 1000, 2)
            found.append(activity)
    return sorted(found, key=lambda activity: (activity.distance_km, activity.starts_at))


def month_counts(year: int, month: int, unit_id: int | None) -> dict[date, int]:
    """Number of calendar activities on each local day of a month (days without any omitted),
    grouped by the database."""
    first = date(year, month, 1)
    last = date(year + month // 12, month % 12 + 1, 1).toordinal() - 1
    filters = CalendarFilters(start=first, end=date.fromordinal(last), unit_id=unit_id)
    day = local_date(Activity.starts_at)
    rows = db.session.execute(
        calendar_query(filters)
        .with_only_columns(day, func.count())
        .order_by(None)
        .group_by(day)
        .order_by(day)
    )
    return {_as_date(value): count for value, count in rows}


def _as_date(value: date | str) -> date:
    # SQLite answers the local date as text.
    return value if isinstance(value, date) else date.fromisoformat(value)


@dataclass
class ManagedFilters:
    start: date | None = None
    end: date | None = None
    unit_id: int | None = None
    status: str | None = None
    q: str | None = None


def managed_query(actor: User, filters: ManagedFilters) -> Select:
    """The activities the actor organises (every status, drafts included), in their subtree
    or ``unit_id``'s, starting on local days start..end (either end open), in start order.

    :raises Forbidden: without an organizer's role, or for a ``unit_id`` outside the
        subtree. :raises UnitNotFound:
    """
    statement = select(Activity).join(Activity.unit).order_by(Activity.starts_at, Activity.id)
    condition = scope_condition(actor, filters.unit_id, roles.ORGANIZER_ROLES)
    if condition is not None:
        statement = statement.where(condition)
    if filters.start is not None:
        statement = statement.where(
            Activity.starts_at >= local_day_bounds(filters.start, filters.start)[0]
        )
    if filters.end is not None:
        statement = statement.where(
            Activity.starts_at < local_day_bounds(filters.end, filters.end)[1]
        )
    if filters.status is not None:
        statement = statement.where(Activity.status == filters.status)
    if filters.q:
        statement = statement.where(_matching(filters.q))
    return statement


def count_calendar(statement: Select) -> int:
    """The number of rows of a calendar statement."""
    return db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
