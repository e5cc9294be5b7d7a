"""Overdue requests on the dispatch board: waiting to be dispatched or accepted longer than
the escalation allows (HELP_ESCALATE_DISPATCH_HOURS, HELP_ESCALATE_ACCEPT_HOURS)."""

from datetime import UTC, datetime, timedelta

SUBMITTED_AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _queue(client, person, **query):
    answer = client.get("/api/v1/help-requests", headers=person.headers, query_string=query)
    assert answer.status_code == 200, answer.get_json()
    return {row["id"]: row["overdue"] for row in answer.get_json()["data"]}


def test_waiting_requests_become_overdue_and_accepted_ones_do_not(
    client, app, people, request_in, frozen_clock
):
    frozen_clock(SUBMITTED_AT)
    waiting, dispatched, accepted = (
        request_in(state) for state in ("submitted", "dispatched", "accepted")
    )
    assert _queue(client, people.institute, overdue="true") == {}

    dispatch_hours = app.config["HELP_ESCALATE_DISPATCH_HOURS"]
    accept_hours = app.config["HELP_ESCALATE_ACCEPT_HOURS"]
    assert dispatch_hours < accept_hours
    frozen_clock(SUBMITTED_AT + timedelta(hours=dispatch_hours, minutes=1))
    assert _queue(client, people.institute, overdue="true") == {waiting: True}
    assert _queue(client, people.institute, status="dispatched") == {dispatched: False}

    frozen_clock(SUBMITTED_AT + timedelta(hours=accept_hours, minutes=1))
    assert _queue(client, people.institute, overdue="true") == {waiting: True, dispatched: True}
    assert _queue(client, people.institute, status="accepted") == {accepted: False}
    assert _queue(client, people.institute, overdue="true", status="dispatched") == {
        dispatched: True
    }
    # Only the dispatchers of the subtree see them.
    assert _queue(client, people.outsider, overdue="true") == {}
