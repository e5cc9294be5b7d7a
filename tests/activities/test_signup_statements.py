"""The sign-up rush path stays lean: the statements of one sign-up, counted through the API
(the signed-in user's load included), may not silently grow."""

import pytest

# The user and session (1); the locking UPDATE returning the activity and, on PostgreSQL,
# what the rules read about the user (1), which SQLite reads next (1); the sign-up (1); its
# counter (1); the calendar generation (1); and for a confirmed place its notification in
# the outbox (1).
WAITLISTED_STATEMENTS = {"postgresql": 5, "sqlite": 6}
CONFIRMED_STATEMENTS = {"postgresql": 6, "sqlite": 7}


@pytest.fixture
def dialect(app):
    return app.extensions["sqlalchemy"].engine.dialect.name


def test_a_confirmed_signup_runs_six_statements_on_postgresql_seven_on_sqlite(
    dialect, client, create_user, auth_headers, create_activity, count_queries
):
    url = f"/api/v1/activities/{create_activity(capacity=1).id}/signups"
    headers = auth_headers(create_user())

    with count_queries() as counted:
        response = client.post(url, headers=headers)

    assert response.get_json()["status"] == "confirmed"
    assert counted.n == CONFIRMED_STATEMENTS[dialect]


def test_a_waitlisted_signup_runs_five_statements_on_postgresql_and_reads_no_count(
    dialect, client, create_user, auth_headers, create_activity, count_queries
):
    url = f"/api/v1/activities/{create_activity(capacity=1).id}/signups"
    holder, first, second = (auth_headers(create_user()) for _ in range(3))
    client.post(url, headers=holder)
    client.post(url, headers=first)

    with count_queries() as counted:
        response = client.post(url, headers=second)

    assert response.get_json()["waitlist_position"] == 2
    assert counted.n == WAITLISTED_STATEMENTS[dialect]
