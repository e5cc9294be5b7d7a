"""Fixtures of the notification tests (on top of ``tests/conftest.py``)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from api.extensions import db
from api.notifications.models import Notification, SubscriptionGrant
from api.timeutil import utcnow


@pytest.fixture
def app_settings():
    """Fast client backoff; the retry counts are what is tested, not the waiting."""
    return {"WECHAT_RETRY_BACKOFF": 0.01, "NOTIFICATION_MAX_ATTEMPTS": 3}


@pytest.fixture
def templates(app):
    """The configured template id of each kind."""
    return {
        kind: template["template_id"]
        for kind, template in app.config["NOTIFICATION_TEMPLATES"].items()
    }


@pytest.fixture
def subscribe(client, auth_headers, templates):
    """Factory: the user accepts the template of ``kind`` ``times`` times, via the API."""

    def accept(user, kind: str, times: int = 1) -> None:
        for _ in range(times):
            response = client.post(
                "/api/v1/me/subscriptions",
                headers=auth_headers(user),
                json={"template_ids": [templates[kind]]},
            )
            assert response.status_code == 200, response.get_json()

    return accept


@pytest.fixture
def run_worker(app):
    """One pass of the outbox worker, at ``now`` (default: the current time)."""
    from api.notifications.outbox import run_outbox

    def run(now=None):
        report = run_outbox(now=now)
        db.session.expire_all()
        return report

    return run


@pytest.fixture
def notifications():
    """Factory: the outbox rows, oldest first, optionally of one kind or user."""

    def rows(kind: str | None = None, user=None) -> list[Notification]:
        db.session.expire_all()
        statement = select(Notification).order_by(Notification.id)
        if kind:
            statement = statement.where(Notification.kind == kind)
        if user is not None:
            statement = statement.where(Notification.user_id == user.id)
        return list(db.session.scalars(statement))

    return rows


@pytest.fixture
def remaining_grants(templates):
    """Factory: how many sends of ``kind``'s template ``user`` has left."""

    def remaining(user, kind: str) -> int:
        db.session.expire_all()
        return (
            db.session.scalar(
                select(SubscriptionGrant.remaining).where(
                    SubscriptionGrant.user_id == user.id,
                    SubscriptionGrant.template_id == templates[kind],
                )
            )
            or 0
        )

    return remaining


@pytest.fixture
def later():
    """Factory: a moment ``minutes`` from now (to run the worker in the future)."""
    return lambda minutes: utcnow() + timedelta(minutes=minutes)
