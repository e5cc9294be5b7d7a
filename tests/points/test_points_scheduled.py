"""The periodic task ``points.sync`` at chosen clocks: the year-end expiry and the refund of
redemptions past due, each written once; meanwhile a GET shows the same balance and status
without writing them."""

from datetime import UTC, datetime, timedelta

from api.extensions import db
from api.points.models import Redemption, Reward
from api.tasks.queue import task_queue

# 2026-12-31 23:00 in Shanghai, and an hour later the new year
LAST_HOUR = datetime(2026, 12, 31, 15, 0, tzinfo=UTC)
NEW_YEAR = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)


def _run_sync(app) -> None:
    huey = task_queue.huey(app)
    huey.immediate = True  # through huey: the registered task in its own app context
    task_queue.enqueue("points.sync", app)
    huey.immediate = False
    db.session.expire_all()


def test_the_year_end_expiry_is_written_once_after_new_year(
    app, frozen_clock, volunteer, add_hours, points, entries
):
    frozen_clock(LAST_HOUR)
    person = volunteer()
    add_hours(person, 120)  # 20 points of 2026
    _run_sync(app)
    assert entries(person) == [("earn", 20, 2026)]

    frozen_clock(NEW_YEAR)
    before_the_task = points(person, synced=False)
    assert before_the_task["balance"] == 0  # read as expired, nothing written
    assert entries(person) == [("earn", 20, 2026)]

    _run_sync(app)
    _run_sync(app)

    assert entries(person) == [("earn", 20, 2026), ("expire", -20, 2026)]
    assert points(person, synced=False)["balance"] == 0


def test_new_hours_count_in_the_balance_before_the_task_writes_them(
    frozen_clock, volunteer, add_hours, points, entries
):
    frozen_clock(LAST_HOUR - timedelta(days=30))
    person = volunteer()
    add_hours(person, 90)  # 15 points

    shown = points(person, synced=False)

    assert shown["balance"] == 15
    assert entries(person) == []


def test_a_redemption_past_due_is_refunded_by_the_task_once(
    app, client, frozen_clock, volunteer, add_hours, points, entries, reward, redeem
):
    frozen_clock(LAST_HOUR - timedelta(days=30))
    person = volunteer()
    add_hours(person, 300)  # 50 points
    offer = reward(points_cost=30, stock=1)
    _run_sync(app)
    redemption = redeem(person, offer["id"]).get_json()
    assert points(person, synced=False)["balance"] == 20

    frozen_clock(LAST_HOUR - timedelta(days=30) + timedelta(hours=72))
    shown = client.get(
        f"/api/v1/me/redemptions/{redemption['id']}", headers=person.headers
    ).get_json()
    assert shown["status"] == "expired"
    assert points(person, synced=False)["balance"] == 50  # refund counted, not yet written
    assert db.session.get(Redemption, redemption["id"]).status == "pending"

    _run_sync(app)
    _run_sync(app)

    assert [kind for kind, _, _ in entries(person)] == ["earn", "redeem", "refund"]
    assert db.session.get(Redemption, redemption["id"]).status == "expired"
    assert db.session.get(Reward, offer["id"]).stock == 1
    assert points(person, synced=False)["balance"] == 50
