"""Weekly series (放学娃之家 every weekday 16:30–18:30 for a term; street cleaning every
Friday): a rule expanded into dated activities, each with its own capacity and sign-ups.

Editing a series changes its future occurrences only; past ones and their sign-ups stay
as they were.
"""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from api.accounts import roles
from api.accounts.models import User
from api.activities.models import Activity, ActivitySeries
from api.activities.services import cancel_activity, check_unit_and_team, update_activity
from api.activities.vocabulary import ActivityStatus
from api.audit.services import record as audit
from api.auth.permissions import covers, ensure_manages
from api.errors import NotFound, ValidationFailed
from api.extensions import db
from api.timeutil import LOCAL_TZ, utcnow
from api.transactions import atomic
from api.units.models import Unit
from api.units.tree import get_unit

MAX_OCCURRENCES = 400
RULE_FIELDS = ("weekdays", "start_time", "end_time", "first_date", "last_date")


class SeriesNotFound(NotFound):
    error, message = "series_not_found", "系列活动不存在"


def occurrence_dates(weekdays: list[int], first_date: date, last_date: date) -> list[date]:
    """Every date from ``first_date`` to ``last_date`` whose weekday (Monday = 0) is listed."""
    wanted = set(weekdays)
    days = (last_date - first_date).days + 1
    return [
        first_date + timedelta(days=offset)
        for offset in range(days)
        if (first_date + timedelta(days=offset)).weekday() in wanted
    ]


def _moment(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, LOCAL_TZ)


def _check_rule(rule: dict) -> list[date]:
    if rule["end_time"] <= rule["start_time"]:
        raise ValidationFailed(errors={"end_time": ["结束时间应晚于开始时间"]})
    if rule["last_date"] < rule["first_date"]:
        raise ValidationFailed(errors={"last_date": ["结束日期不能早于开始日期"]})
    dates = occurrence_dates(rule["weekdays"], rule["first_date"], rule["last_date"])
    if not dates:
        raise ValidationFailed(errors={"weekdays": ["该规则没有任何活动日期"]})
    if len(dates) > MAX_OCCURRENCES:
        raise ValidationFailed(errors={"last_date": [f"一个系列最多 {MAX_OCCURRENCES} 次活动"]})
    return dates


def _occurrence_values(series: ActivitySeries, day: date) -> dict:
    return {
        **series.template,
        "starts_at": _moment(day, series.start_time),
        "ends_at": _moment(day, series.end_time),
    }


@atomic()
def create_series(actor: User, rule: dict, template: dict, publish: bool) -> ActivitySeries:
    """Create a series and one activity per date of its rule (drafts, or published).

    :raises Forbidden: outside the actor's subtree. :raises ValidationFailed: bad rule.
    """
    dates = _check_rule(rule)
    check_unit_and_team(actor, template)
    series = ActivitySeries(**rule, template=template, created_by_id=actor.id)
    db.session.add(series)
    db.session.flush()
    for day in dates:
        db.session.add(
            Activity(
                **_occurrence_values(series, day),
                series_id=series.id,
                status=(ActivityStatus.PUBLISHED if publish else ActivityStatus.DRAFT),
                created_by_id=actor.id,
            )
        )
    audit(
        actor,
        "series.create",
        "series",
        series.id,
        details={"occurrences": len(dates), "published": publish},
    )
    return series


def get_series(series_id: int) -> ActivitySeries:
    """:raises SeriesNotFound:"""
    series = db.session.get(ActivitySeries, series_id)
    if series is None:
        raise SeriesNotFound()
    return series


def occurrences(series_id: int) -> list[Activity]:
    """The series' activities in date order."""
    return list(
        db.session.scalars(
            select(Activity).where(Activity.series_id == series_id).order_by(Activity.starts_at)
        )
    )


def visible_series(series_id: int, viewer: User | None) -> ActivitySeries:
    """A series with the occurrences ``viewer`` may see in ``.occurrences``: all of them for an
    organizer of its unit, the published (or cancelled, finished) ones for everybody else.
    A series of drafts only does not exist for them: its template is the drafts' content.

    :raises SeriesNotFound:
    """
    series = get_series(series_id)
    found = occurrences(series.id)
    unit_id = series.template.get("unit_id")
    unit = db.session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None or not covers(viewer, unit, roles.ORGANIZER_ROLES):
        found = [activity for activity in found if activity.status != ActivityStatus.DRAFT]
        if not found:
            raise SeriesNotFound()
    series.occurrences = found
    return series


@atomic()
def update_series(
    actor: User, series_id: int, rule_changes: dict, template_changes: dict
) -> ActivitySeries:
    """Change a series from now on: future occurrences take the new template and times,
    future dates that left the rule are cancelled (people signed up are told), new dates
    are added. Past occurrences are untouched.

    :raises SeriesNotFound, Forbidden, ValidationFailed, CapacityBelowConfirmed:
    """
    series = get_series(series_id)
    ensure_manages(actor, get_unit(series.template["unit_id"]), roles.ORGANIZER_ROLES)
    rule = {name: getattr(series, name) for name in RULE_FIELDS} | rule_changes
    dates = set(_check_rule(rule))
    check_unit_and_team(actor, template_changes)
    for name, value in rule.items():
        setattr(series, name, value)
    series.template = {**series.template, **template_changes}

    now = utcnow()
    existing_future: dict[date, Activity] = {}
    for activity in occurrences(series.id):
        if activity.starts_at <= now or activity.status in (
            ActivityStatus.CANCELLED,
            ActivityStatus.FINISHED,
        ):
            continue
        day = activity.starts_at.astimezone(LOCAL_TZ).date()
        if day not in dates:
            cancel_activity(actor, activity.id, "系列活动安排调整，本次活动取消")
            continue
        existing_future[day] = activity
        changes = {
            name: value
            for name, value in _occurrence_values(series, day).items()
            if getattr(activity, name) != value
        }
        if changes:
            update_activity(actor, activity.id, changes)

    published = any(a.status == ActivityStatus.PUBLISHED for a in existing_future.values())
    status = ActivityStatus.PUBLISHED if published else ActivityStatus.DRAFT
    for day in sorted(dates - existing_future.keys()):
        values = _occurrence_values(series, day)
        if values["starts_at"] > now and not _has_occurrence_on(series.id, day):
            db.session.add(
                Activity(**values, series_id=series.id, status=status, created_by_id=actor.id)
            )
    audit(
        actor,
        "series.update",
        "series",
        series.id,
        details={"rule": sorted(rule_changes), "template": sorted(template_changes)},
    )
    return series


def _has_occurrence_on(series_id: int, day: date) -> bool:
    start = _moment(day, time.min)
    return (
        db.session.scalar(
            select(Activity.id)
            .where(
                Activity.series_id == series_id,
                Activity.starts_at >= start,
                Activity.starts_at < start + timedelta(days=1),
            )
            .limit(1)
        )
        is not None
    )
