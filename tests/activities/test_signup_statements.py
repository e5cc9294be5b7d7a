"""The sign-up rush path stays lean: the statements of one sign-up, counted through the API
(the signed-in user's load included), may not silently grow."""

# The user and session (1); the locking UPDATE returning the activity (1); what the rules
# need, in one read (1); the sign-up (1); its counter (1); the calendar generation (1); and
# for a confirmed place its notification in the outbox (1).
WAITLISTED_STATEMENTS = 6
CONFIRMED_STATEMENTS = 7


def test_a_confirmed_signup_runs_seven_statements(
    client, create_user, auth_headers, create_activity, count_queries
):
    url = f"/api/v1/activities/{create_activity(capacity=1).id}/signups"
    headers = auth_headers(create_user())

    with count_queries() as counted:
        response = client.post(url, headers=headers)

    assert response.get_json()["status"] == "confirmed"
    assert counted.n == CONFIRMED_STATEMENTS


def test_a_waitlisted_signup_runs_six_statements_and_reads_no_count_for_its_place(
    client, create_user, auth_headers, create_activity, count_queries
):
    url = f"/api/v1/activities/{create_activity(capacity=1).id}/signups"
    holder, first, second = (auth_headers(create_user()) for _ in range(3))
    client.post(url, headers=holder)
    client.post(url, headers=first)

    with count_queries() as counted:
        response = client.post(url, headers=second)

    assert response.get_json()["waitlist_position"] == 2
    assert counted.n == WAITLISTED_STATEMENTS
