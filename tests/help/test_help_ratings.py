"""Rating (评单): 1–5 stars by the requester; after HELP_AUTO_RATE_DAYS an unrated request
counts as rated "satisfied", everywhere at once and audit-logged."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from api.extensions import db
from api.help.models import HelpRequest
from api.tasks.schedule import settle_help_requests
from api.timeutil import utcnow


def _complete_days_ago(request_id: int, days: float) -> None:
    db.session.execute(
        update(HelpRequest)
        .where(HelpRequest.id == request_id)
        .values(completed_at=utcnow() - timedelta(days=days))
    )
    db.session.commit()


@pytest.mark.parametrize("rating", [0, 6])
def test_ratings_are_one_to_five_stars(client, request_in, act, people, rating):
    request_id = request_in("completed")

    response = act(people.requester, request_id, "rate", rating=rating)

    assert response.status_code == 422
    assert "rating" in response.get_json()["errors"]


def test_only_the_requester_rates_an_app_request(client, request_in, act, people):
    request_id = request_in("completed")

    assert act(people.responder, request_id, "rate", rating=5).status_code == 403
    assert act(people.institute, request_id, "rate", rating=5).status_code == 403


def test_an_unrated_request_counts_as_satisfied_after_the_deadline(
    client, request_in, act, people, audit_trail
):
    request_id = request_in("completed")
    _complete_days_ago(request_id, 7.01)

    body = client.get(
        f"/api/v1/help-requests/{request_id}", headers=people.requester.headers
    ).get_json()

    assert (body["status"], body["rating"], body["auto_rated"]) == ("rated", 5, True)
    assert audit_trail(request_id)[-1] != ("help_request.rate", None)  # a GET never writes
    settle_help_requests()  # the periodic task writes it down
    assert audit_trail(request_id)[-1] == ("help_request.rate", None)
    late = act(people.requester, request_id, "rate", rating=1)
    assert late.status_code == 409
    assert late.get_json()["error"] == "invalid_transition"


def test_before_the_deadline_the_requester_still_rates(client, request_in, act, people):
    request_id = request_in("completed")
    _complete_days_ago(request_id, 6.9)

    response = act(people.requester, request_id, "rate", rating=2, comment="来得有点晚")

    assert response.status_code == 200
    assert (response.get_json()["rating"], response.get_json()["auto_rated"]) == (2, False)


def test_rating_after_the_deadline_is_refused_even_before_anyone_settled_it(
    client, request_in, act, people
):
    request_id = request_in("completed")
    _complete_days_ago(request_id, 30)

    response = act(people.requester, request_id, "rate", rating=1)

    assert response.status_code == 409
    assert "默认" in response.get_json()["message"]
    assert db.session.get(HelpRequest, request_id).rating == 5


def test_the_deadline_is_configured(app, client, request_in):
    app.config["HELP_AUTO_RATE_DAYS"] = 1
    request_id = request_in("completed")
    _complete_days_ago(request_id, 1.5)

    result = app.test_cli_runner().invoke(args=["help-requests", "settle-ratings"])

    assert result.exit_code == 0, result.output
    assert "1 条" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(HelpRequest.status)) == "rated"


def test_settling_twice_changes_nothing(client, runner, request_in, audit_trail):
    request_id = request_in("completed")
    _complete_days_ago(request_id, 8)

    first = runner.invoke(args=["help-requests", "settle-ratings"])
    second = runner.invoke(args=["help-requests", "settle-ratings"])

    assert "1 条" in first.output and "0 条" in second.output
    assert [action for action, _ in audit_trail(request_id)].count("help_request.rate") == 1
