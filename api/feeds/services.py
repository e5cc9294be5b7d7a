"""Which activities a feed holds, and the secret token of a personal feed.

Calendar apps cannot send a bearer token: the unit feed is public (published activities
only), the personal feed is authorized by the secret token in its URL alone.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from api.accounts.models import User
from api.activities.models import Activity
from api.activities.vocabulary import ActivityStatus
from api.audit.services import record as audit
from api.errors import NotFound
from api.extensions import db
from api.feeds.ics import CANCELLED, CONFIRMED, TENTATIVE, FeedEntry
from api.signups.models import ACTIVE_STATUSES, Signup, SignupStatus
from api.timeutil import utcnow
from api.transactions import atomic
from api.units.tree import get_unit, in_subtree

# A feed shows the last month (what you did) and everything coming; a calendar app
# downloads it every hour, so its size is capped.
FEED_PAST = timedelta(days=30)
MAX_UNIT_FEED_EVENTS = 2000
MAX_PERSONAL_FEED_EVENTS = 500

_SIGNUP_NOTES = {
    SignupStatus.WAITLISTED: "报名状态：候补中",
    SignupStatus.ATTENDED: "报名状态：已签到",
}


class CalendarFeedNotFound(NotFound):
    error, message = "calendar_feed_not_found", "日历订阅地址无效或已重置"


class CalendarFeedNotCreated(NotFound):
    error, message = "calendar_feed_not_created", "还没有创建日历订阅地址"


def unit_feed(unit_id: int | None, now: datetime | None = None) -> tuple[str, list[FeedEntry]]:
    """The feed's name and the published activities of a unit's subtree (the whole county
    without ``unit_id``) from 30 days ago on, in start order.

    Capped at ``MAX_UNIT_FEED_EVENTS``; the coming ones win over the past ones.

    :raises UnitNotFound: for an unknown ``unit_id``.
    """
    now = now or utcnow()
    statement = select(Activity).where(
        Activity.status.in_((ActivityStatus.PUBLISHED, ActivityStatus.FINISHED))
    )
    name = "文明实践活动"
    if unit_id is not None:
        unit = get_unit(unit_id)
        statement = statement.join(Activity.unit).where(in_subtree(unit))
        name = f"{unit.name}·文明实践活动"
    coming = list(
        db.session.scalars(
            statement.where(Activity.starts_at >= now)
            .order_by(Activity.starts_at, Activity.id)
            .limit(MAX_UNIT_FEED_EVENTS)
        )
    )
    past = (
        list(
            db.session.scalars(
                statement.where(Activity.starts_at >= now - FEED_PAST, Activity.starts_at < now)
                .order_by(Activity.starts_at.desc(), Activity.id.desc())
                .limit(MAX_UNIT_FEED_EVENTS - len(coming))
            )
        )
        if len(coming) < MAX_UNIT_FEED_EVENTS
        else []
    )
    return name, [FeedEntry(activity) for activity in [*reversed(past), *coming]]


def feed_owner(token: str) -> User:
    """The user whose personal feed ``token`` opens. :raises CalendarFeedNotFound:"""
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    if user is None or not user.is_active:
        raise CalendarFeedNotFound()
    return user


def personal_feed(user: User, now: datetime | None = None) -> tuple[str, list[FeedEntry]]:
    """The feed's name and the activities of the user's active sign-ups from 30 days ago
    on; a cancelled activity stays in it as cancelled, so calendar apps drop it visibly."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Activity, Signup.status)
        .join(Signup, Signup.activity_id == Activity.id)
        .where(
            Signup.user_id == user.id,
            Signup.status.in_(ACTIVE_STATUSES),
            Activity.starts_at >= now - FEED_PAST,
        )
        .order_by(Activity.starts_at, Activity.id)
        .limit(MAX_PERSONAL_FEED_EVENTS)
    )
    return "我的文明实践活动", [_personal_entry(activity, status) for activity, status in rows]


def _personal_entry(activity: Activity, signup_status: str) -> FeedEntry:
    if activity.status == ActivityStatus.CANCELLED:
        reason = f"活动已取消：{activity.cancel_reason}" if activity.cancel_reason else "活动已取消"
        return FeedEntry(activity, CANCELLED, (reason,))
    notes = (_SIGNUP_NOTES[signup_status],) if signup_status in _SIGNUP_NOTES else ()
    return FeedEntry(
        activity, TENTATIVE if signup_status == SignupStatus.WAITLISTED else CONFIRMED, notes
    )


def calendar_token(user: User) -> str:
    """The secret of the user's personal feed.

    :raises CalendarFeedNotCreated: before the user has created the feed
        (:func:`create_calendar_token`).
    """
    if user.calendar_token is None:
        raise CalendarFeedNotCreated()
    return user.calendar_token


def create_calendar_token(user: User) -> str:
    """The secret of the user's personal feed, created if the user has none yet: calling it
    again answers the same secret.

    A conditional update keeps the first token when two first requests race.
    """
    if user.calendar_token is None:
        with atomic():
            db.session.execute(
                update(User)
                .where(User.id == user.id, User.calendar_token.is_(None))
                .values(calendar_token=secrets.token_urlsafe(32))
                .execution_options(synchronize_session=False)
            )
        db.session.refresh(user)
    return user.calendar_token


@atomic()
def reset_calendar_token(user: User) -> str:
    """Replace the secret of the user's personal feed; the old URL stops working.

    :raises CalendarFeedNotCreated: when the user has no feed to replace.
    """
    if user.calendar_token is None:
        raise CalendarFeedNotCreated()
    user.calendar_token = secrets.token_urlsafe(32)
    audit(user, "calendar_feed.reset", "user", user.id)
    return user.calendar_token
