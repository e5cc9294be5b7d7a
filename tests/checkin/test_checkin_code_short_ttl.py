"""A shorter configured lifetime of the check-in code is honoured."""

import pytest


@pytest.fixture
def app_settings():
    return {"CHECKIN_TOKEN_TTL_SECONDS": 5}


def test_a_code_older_than_the_configured_ttl_is_expired(
    running_activity, participant, checkin_token, scan, frozen_clock, near
):
    activity = running_activity()
    person = participant(activity)
    token = checkin_token(activity)

    frozen_clock.shift(7)
    response = scan(activity, person.headers, token, **near)

    assert response.get_json()["error"] == "checkin_token_expired"
