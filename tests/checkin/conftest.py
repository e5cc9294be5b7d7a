"""Fixtures of the check-in tests: an activity running now, its organizer, scans.

The clock is the root ``frozen_clock`` (``frozen_clock.shift(61)`` ages the codes)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from api.timeutil import utcnow


@pytest.fixture
def near():
    """A position about 110 m north of ``create_activity``'s venue."""
    return {"lat": 33.7722, "lng": 113.9891}


@pytest.fixture
def far():
    """A position about 1.1 km north of ``create_activity``'s venue."""
    return {"lat": 33.7812, "lng": 113.9891}


@pytest.fixture
def running_activity(create_activity):
    """Factory: an activity that started 10 minutes ago and lasts two hours (walk-in
    sign-ups open until its end)."""

    def create(**overrides):
        starts_at = utcnow().replace(microsecond=0) - timedelta(minutes=10)
        ends_at = starts_at + timedelta(hours=2)
        return create_activity(
            **{"starts_at": starts_at, "ends_at": ends_at, "signup_closes_at": ends_at, **overrides}
        )

    return create


@pytest.fixture
def organizer(create_user, auth_headers, corpus_units):
    """The signed-in admin of the 巨陵镇 institute (which holds ``create_activity``'s)."""
    user = create_user("jl-admin", roles=[("unit_admin", "LY-JL")])
    return SimpleNamespace(user=user, headers=auth_headers(user))


@pytest.fixture
def participant(client, create_user, auth_headers):
    """Factory: a signed-in user signed up (confirmed) for ``activity``."""

    def create(activity):
        user = create_user()
        headers = auth_headers(user)
        response = client.post(f"/api/v1/activities/{activity.id}/signups", headers=headers)
        assert response.get_json()["status"] == "confirmed"
        return SimpleNamespace(user=user, headers=headers)

    return create


@pytest.fixture
def checkin_token(client, organizer):
    """Factory: a fresh check-in code of ``activity``, as the organizer's screen shows it."""

    def token(activity) -> str:
        response = client.get(
            f"/api/v1/activities/{activity.id}/checkin-code", headers=organizer.headers
        )
        assert response.status_code == 200, response.get_json()
        return response.get_json()["token"]

    return token


@pytest.fixture
def scan(client):
    """Factory: post a scan to ``/checkins`` or ``/checkouts``, with an optional position."""

    def post(activity, headers, token, kind="checkins", **position):
        return client.post(
            f"/api/v1/activities/{activity.id}/{kind}",
            json={"token": token, **position},
            headers=headers,
        )

    return post
