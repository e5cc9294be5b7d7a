"""我来帮 hours go only to the responders of the assignee who did the work, within the caps."""

from sqlalchemy import select

from api.extensions import db
from api.help.models import HelpRequest
from api.hours.models import ServiceRecord


def test_hours_go_only_to_the_teams_responders(request_in, act, people):
    request_id = request_in("accepted")

    to_bystander = act(
        people.responder,
        request_id,
        "complete",
        report="已办结",
        volunteers=[
            {"user_id": people.responder.id, "minutes": 60},
            {"user_id": people.volunteer.id, "minutes": 60},
        ],
    )
    to_other_team = act(
        people.responder,
        request_id,
        "complete",
        report="已办结",
        volunteers=[{"user_id": people.other_responder.id, "minutes": 60}],
    )

    for refused in (to_bystander, to_other_team):
        assert refused.status_code == 422
        assert refused.get_json()["error"] == "not_a_responder"
    assert str(people.volunteer.id) in to_bystander.get_json()["errors"]["volunteers"][0]
    assert db.session.scalar(select(ServiceRecord.id)) is None
    assert db.session.get(HelpRequest, request_id).status == "accepted"


def test_a_help_record_has_a_cap(app, request_in, act, people):
    app.config["HELP_RECORD_MAX_MINUTES"] = 240
    request_id = request_in("accepted")

    over = act(
        people.responder,
        request_id,
        "complete",
        report="已办结",
        volunteers=[{"user_id": people.responder.id, "minutes": 241}],
    )
    within = act(
        people.responder,
        request_id,
        "complete",
        report="已办结",
        volunteers=[{"user_id": people.responder.id, "minutes": 240}],
    )

    assert over.status_code == 422
    assert over.get_json()["error"] == "minutes_over_record_cap"
    assert within.status_code == 200
    assert db.session.scalars(select(ServiceRecord.credited_minutes)).all() == [240]
