"""No-shows: the periodic task marks confirmed sign-ups never checked in once an activity is
over, and the count shows in the volunteer's /me and on organizers' rosters."""

from datetime import UTC, datetime, timedelta

import pytest

from api.extensions import db
from api.signups.models import Attendance, Signup, SignupStatus
from api.signups.services import sign_up
from api.tasks.queue import task_queue

STARTS = datetime(2026, 6, 10, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai; ends two hours later
GRACE = timedelta(minutes=120)  # NO_SHOW_GRACE_MINUTES by default


@pytest.fixture
def ended_activity(frozen_clock, create_activity, create_user):
    """An activity with one person who came (checked in) and two who did not."""
    frozen_clock(STARTS - timedelta(days=2))
    activity = create_activity(starts_at=STARTS)
    came, stayed_away, also_away = create_user(), create_user(), create_user()
    signups = {person: sign_up(person, activity.id) for person in (came, stayed_away, also_away)}
    db.session.add(Attendance(signup_id=signups[came].id, checked_in_at=STARTS))
    signups[came].status = SignupStatus.ATTENDED
    db.session.commit()
    return activity, came, stayed_away, also_away


def _statuses(activity) -> dict[int, str]:
    db.session.expire_all()
    return {
        signup.user_id: signup.status
        for signup in db.session.scalars(db.select(Signup).where(Signup.activity_id == activity.id))
    }


def test_confirmed_and_never_checked_in_become_no_shows_after_the_grace(
    app, frozen_clock, ended_activity
):
    activity, came, stayed_away, also_away = ended_activity
    run = app.extensions["tasks"]["tasks"]["signups.mark_no_shows"].func

    frozen_clock(activity.ends_at + GRACE - timedelta(minutes=1))
    run()
    assert set(_statuses(activity).values()) == {"attended", "confirmed"}

    frozen_clock(activity.ends_at + GRACE)
    run()
    run()  # idempotent: the second run finds nothing

    assert _statuses(activity) == {
        came.id: "attended",
        stayed_away.id: "no_show",
        also_away.id: "no_show",
    }


def test_the_task_runs_through_huey(app, frozen_clock, ended_activity):
    activity, _, stayed_away, _ = ended_activity
    huey = task_queue.huey(app)
    frozen_clock(activity.ends_at + GRACE)

    huey.immediate = True  # the task runs where it is enqueued, in its own app context
    task_queue.enqueue("signups.mark_no_shows", app)

    assert _statuses(activity)[stayed_away.id] == "no_show"


def test_cancelled_activities_make_no_no_shows(app, frozen_clock, ended_activity):
    activity, *_ = ended_activity
    activity.status = "cancelled"
    db.session.commit()
    frozen_clock(activity.ends_at + GRACE)

    app.extensions["tasks"]["tasks"]["signups.mark_no_shows"].func()

    assert "no_show" not in _statuses(activity).values()


def test_no_shows_count_in_me_and_on_the_roster(
    app, client, auth_headers, create_user, frozen_clock, ended_activity
):
    activity, came, stayed_away, _ = ended_activity
    frozen_clock(activity.ends_at + GRACE)
    app.extensions["tasks"]["tasks"]["signups.mark_no_shows"].func()
    organizer = create_user("organizer", roles=[("unit_admin", "LY-JL")])

    mine = client.get("/api/v1/me", headers=auth_headers(stayed_away)).get_json()
    theirs = client.get("/api/v1/me", headers=auth_headers(came)).get_json()
    roster = client.get(
        f"/api/v1/activities/{activity.id}/roster", headers=auth_headers(organizer)
    ).get_json()

    assert (mine["no_show_count"], theirs["no_show_count"]) == (1, 0)
    counts = {entry["user_id"]: entry["no_show_count"] for entry in roster["signups"]}
    assert counts[stayed_away.id] == 1 and counts[came.id] == 0
