"""Finding and locking one activity: the layer below activities, signups, check-in and hours.

Every package that works on one activity starts here, so that none of them has to import the
others' services to find it.
"""

from sqlalchemy import update

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
    if (activity.status == ActivityStatus.DRAFT
            and not covers(viewer, activity.unit, roles.ORGANIZER_ROLES)):
        raise ActivityNotFound()
    return activity


def get_managed_activity(actor: User, activity_id: int) -> Activity:
    """An activity the actor organises. :raises ActivityNotFound: :raises Forbidden:"""
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise ActivityNotFound()
    ensure_manages(actor, activity.unit, roles.ORGANIZER_ROLES)
    return activity


def lock_activity(activity_id: int) -> Activity:
    """Take the activity's row lock for the rest of the transaction and return it fresh.

    The UPDATE is the lock on both databases: a row lock on PostgreSQL, the write lock on
    SQLite. Everything that changes sign-up counts goes through here first.
    """
    db.session.execute(
        update(Activity).where(Activity.id == activity_id)
        .values(lock_version=Activity.lock_version + 1)
        .execution_options(synchronize_session=False)
    )
    activity = db.session.get(Activity, activity_id, populate_existing=True)
    if activity is None:
        raise ActivityNotFound()
    return activity
