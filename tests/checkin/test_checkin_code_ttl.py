"""The check-in code's lifetime is configurable, but never longer than a minute."""

from datetime import datetime, timedelta

import pytest

from api.timeutil import utcnow


@pytest.fixture
def app_settings():
    return {"CHECKIN_TOKEN_TTL_SECONDS": 3600}


def test_checkin_code_never_lives_longer_than_a_minute(
    client, organizer, running_activity, participant, scan, frozen_clock
):
    activity = running_activity()
    person = participant(activity)
    body = client.get(
        f"/api/v1/activities/{activity.id}/checkin-code", headers=organizer.headers
    ).get_json()
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert expires_at - utcnow() <= timedelta(seconds=60)

    frozen_clock.shift(62)
    response = scan(activity, person.headers, body["token"])

    assert response.get_json()["error"] == "checkin_token_expired"
