"""Finding and locking one activity: the layer below activities, signups, check-in and hours.

Every package that works on one activity starts here, so that none of them has to import the
others' services to find it.
"""

import functools

from sqlalchemy import Row, Update, bindparam, update

from api.accounts import roles
from api.accounts.models import User
from api.activities.models import Activity
from api.activities.vocabulary import ActivityStatus
from api.auth.permissions import covers, ensure_manages
from api.errors import NotFound
from api.extensions import db


class ActivityNotFound(NotFound):
    error, message = "activity_not_found", "活动不存在"


def get_activity(activity_id: int, viewer: User | None = None) -> Activity:
    """An activity residents may see (published, cancelled, finished), or any activity
    for an organizer in scope. :raises ActivityNotFound:"""
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise ActivityNotFound()
    if activity.status == ActivityStatus.DRAFT and not covers(
        viewer, activity.unit, roles.ORGANIZER_ROLES
    ):
        raise ActivityNotFound()
    return activity


def get_managed_activity(actor: User, activity_id: int) -> Activity:
    """An activity the actor organises. :raises ActivityNotFound: :raises Forbidden:"""
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise ActivityNotFound()
    ensure_manages(actor, activity.unit, roles.ORGANIZER_ROLES)
    return activity


def _locking_update() -> Update:
    """The UPDATE that is the activity's lock on both databases (a row lock on PostgreSQL,
    the write lock on SQLite), for the parameter ``activity_id``."""
    table = Activity.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("activity_id"))
        .values(lock_version=table.c.lock_version + 1)
    )


def lock_activity(activity_id: int) -> Activity:
    """Take the activity's row lock for the rest of the transaction and return it fresh.

    Everything that changes sign-up counts goes through here (or :func:`lock_activity_row`)
    first.
    """
    db.session.execute(_locking_update(), {"activity_id": activity_id})
    activity = db.session.get(Activity, activity_id, populate_existing=True)
    if activity is None:
        raise ActivityNotFound()
    return activity


@functools.cache
def locking_update_returning_row() -> Update:
    """The locking UPDATE returning what the sign-up rules read of the activity (built once:
    the statement and its cache key cost more than running it); a caller may return more
    (``.returning(...)`` adds columns) and run it with :func:`lock_activity_row`."""
    columns = Activity.__table__.c
    return _locking_update().returning(
        columns.id,
        columns.title,
        columns.status,
        columns.unit_id,
        columns.audience,
        columns.min_age,
        columns.guardian_required,
        columns.starts_at,
        columns.ends_at,
        columns.signup_opens_at,
        columns.signup_closes_at,
        columns.cancel_deadline,
        columns.capacity,
        columns.confirmed_count,
        columns.waitlist_count,
    )


def lock_activity_row(
    activity_id: int, statement: Update | None = None, **parameters: object
) -> Row:
    """Take the activity's row lock (as :func:`lock_activity`) and return, from the locking
    UPDATE itself, what the sign-up rules read: its schedule, audience, status, capacity
    and counters. One statement and no ORM object, for the sign-up rush. ``statement`` is
    :func:`locking_update_returning_row` returning more, with its ``parameters``.

    :raises ActivityNotFound:"""
    row = db.session.execute(
        statement if statement is not None else locking_update_returning_row(),
        {"activity_id": activity_id, **parameters},
    ).one_or_none()
    if row is None:
        raise ActivityNotFound()
    return row
