"""No-shows: a confirmed sign-up never checked in, once its activity is over.

The periodic task ``signups.mark_no_shows`` marks them ``NO_SHOW_GRACE_MINUTES`` after the
end (time for staff to record a late check-in). A volunteer's no-show count is part of
their record: shown to them in ``/me`` and to organizers on every roster.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, func, select, update

from api.activities.models import Activity
from api.activities.vocabulary import ActivityStatus
from api.extensions import db
from api.signups.models import Attendance, Signup, SignupStatus
from api.timeutil import utcnow
from api.transactions import atomic


@atomic()
def mark_no_shows(now: datetime | None = None) -> dict:
    """Mark the confirmed sign-ups of ended activities that have no check-in as
    ``no_show``: one conditional UPDATE, so a second run (on any worker) changes nothing."""
    now = now or utcnow()
    cutoff = now - timedelta(minutes=current_app.config["NO_SHOW_GRACE_MINUTES"])
    ended = select(Activity.id).where(
        Activity.status.in_((ActivityStatus.PUBLISHED, ActivityStatus.FINISHED)),
        Activity.ends_at <= cutoff,
    )
    checked_in = exists().where(Attendance.signup_id == Signup.id)
    marked = db.session.execute(
        update(Signup)
        .where(Signup.status == SignupStatus.CONFIRMED, Signup.activity_id.in_(ended), ~checked_in)
        .values(status=SignupStatus.NO_SHOW)
        .execution_options(synchronize_session=False)
    ).rowcount
    return {"no_shows": marked}


def no_show_counts(user_ids: Iterable[int]) -> dict[int, int]:
    """How many times each of ``user_ids`` did not come (users without any are left out)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(Signup.user_id, func.count())
            .where(Signup.user_id.in_(ids), Signup.status == SignupStatus.NO_SHOW)
            .group_by(Signup.user_id)
        ).all()
    )


def no_show_count(user_id: int) -> int:
    """How many times ``user_id`` signed up, was confirmed and did not come."""
    return no_show_counts([user_id]).get(user_id, 0)
