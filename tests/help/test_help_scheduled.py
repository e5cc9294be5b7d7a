"""The periodic task ``help.settle`` at chosen clocks: unrated requests count as satisfied
after HELP_AUTO_RATE_DAYS, and requests waiting too long are escalated to their dispatchers
(once per wait). Reads show the settled rating before the task writes it."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from api.extensions import db
from api.help.models import HelpRequest
from api.notifications.models import Notification
from api.tasks.schedule import settle_help_requests

T0 = datetime(2026, 5, 4, 2, 0, tzinfo=UTC)


@pytest.fixture
def at(frozen_clock):
    """Set the app clock to T0 plus ``hours``."""
    return lambda hours: frozen_clock(T0 + timedelta(hours=hours))


def _stored(request_id: int) -> HelpRequest:
    db.session.expire_all()
    return db.session.get(HelpRequest, request_id)


def _escalations() -> list[int]:
    db.session.expire_all()
    return sorted(
        db.session.scalars(
            select(Notification.user_id).where(Notification.kind == "help_escalated")
        )
    )


def test_an_unrated_request_is_settled_by_the_task_and_read_as_settled_before(
    client, at, request_in, people, audit_trail
):
    at(0)
    request_id = request_in("completed")

    at(7 * 24 - 0.1)
    assert settle_help_requests() == {"auto_rated": 0, "escalated": 0}
    at(7 * 24)
    shown = client.get(
        f"/api/v1/help-requests/{request_id}", headers=people.requester.headers
    ).get_json()
    stats = client.get("/api/v1/stats").get_json()["help_requests"]
    assert (shown["status"], shown["rating"], shown["auto_rated"]) == ("rated", 5, True)
    assert (stats["by_status"]["rated"], stats["average_rating"]) == (1, 5.0)
    assert _stored(request_id).status == "completed"  # read, not written

    assert settle_help_requests()["auto_rated"] == 1
    assert settle_help_requests()["auto_rated"] == 0  # idempotent

    stored = _stored(request_id)
    assert (stored.status, stored.rating, stored.auto_rated) == ("rated", 5, True)
    assert audit_trail(request_id).count(("help_request.rate", None)) == 1


def test_a_request_waiting_to_be_dispatched_is_escalated_once(at, request_in, people):
    at(0)
    request_id = request_in("submitted")

    at(23.9)
    assert settle_help_requests()["escalated"] == 0
    at(24)
    assert settle_help_requests()["escalated"] == 1
    at(30)
    assert settle_help_requests()["escalated"] == 0

    # the dispatchers covering 油坊陈村: its station, the institute, the center, the admin
    assert _escalations() == sorted(
        [people.station.id, people.institute.id, people.center.id, people.admin.id]
    )
    assert _stored(request_id).escalated_at == T0 + timedelta(hours=24)


def test_a_dispatched_request_not_accepted_starts_a_new_wait(at, request_in, act, people, teams):
    at(0)
    request_id = request_in("submitted")
    at(24)
    settle_help_requests()
    at(25)
    assert (
        act(people.institute, request_id, "dispatch", team_id=teams["T-JL-02"].id).status_code
        == 200
    )

    at(25 + 47.9)
    assert settle_help_requests()["escalated"] == 0
    at(25 + 48)
    assert settle_help_requests()["escalated"] == 1

    assert len(_escalations()) == 2 * 4
    notice = db.session.scalars(
        select(Notification)
        .where(Notification.kind == "help_escalated")
        .order_by(Notification.id.desc())
    ).first()
    assert notice.title.startswith("求助超时未接单")


def test_thresholds_come_from_the_configuration(app, at, request_in):
    app.config["HELP_ESCALATE_DISPATCH_HOURS"] = 2
    at(0)
    request_in("submitted")

    at(2)

    assert settle_help_requests()["escalated"] == 1
