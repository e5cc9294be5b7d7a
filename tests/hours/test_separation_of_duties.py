"""Separation of duties in the ledger (DESIGN §4.10): nobody approves, rejects, corrects, voids
or settles a record where they are the volunteer or its creator; manual records need a link
to the activity and stay within the per-record and per-day caps."""

from types import SimpleNamespace

import pytest

from api.extensions import db
from api.help.models import HelpResponder
from api.hours.models import ServiceRecord
from api.units.models import Team


def _post(client, url, headers, **body):
    return client.post(url, headers=headers, json=body)


@pytest.fixture
def second_organizer(create_user, auth_headers, corpus_units):
    """Another admin of the 巨陵镇 institute: the one who reviews what the first entered."""
    user = create_user("jl-admin-2", roles=[("unit_admin", "LY-JL")])
    return SimpleNamespace(user=user, headers=auth_headers(user), id=user.id)


@pytest.fixture
def manual_record(client, volunteer, organizer, past_activity, signed_up):
    """A pending manual record the first organizer entered for a signed-up volunteer
    (``.id``), and that volunteer (``.person``)."""
    person, activity = volunteer(), past_activity()
    signed_up(person, activity)
    response = _post(
        client,
        "/api/v1/hours/records",
        organizer.headers,
        user_id=person.id,
        activity_id=activity.id,
        credited_minutes=90,
        reason="忘记签到",
    )
    assert response.status_code == 201, response.get_json()
    return SimpleNamespace(id=response.get_json()["id"], person=person)


@pytest.mark.parametrize(
    "action, body",
    [
        ("approve", {}),
        ("reject", {"note": "不通过"}),
        ("corrections", {"credited_minutes": 60, "reason": "更正"}),
        ("void", {"reason": "作废"}),
    ],
)
def test_the_creator_cannot_review_correct_or_void(client, organizer, manual_record, action, body):
    response = _post(
        client, f"/api/v1/hours/records/{manual_record.id}/{action}", organizer.headers, **body
    )
    assert response.status_code == 403
    assert response.get_json()["error"] == "self_review"
    assert db.session.get(ServiceRecord, manual_record.id).status == "pending"


def test_another_organizer_approves_what_the_first_entered(client, second_organizer, manual_record):
    response = _post(
        client, f"/api/v1/hours/records/{manual_record.id}/approve", second_organizer.headers
    )
    assert response.status_code == 200
    assert response.get_json()["reviewed_by_id"] == second_organizer.id


@pytest.mark.parametrize(
    "action, body",
    [
        ("approve", {}),
        ("reject", {"note": "不通过"}),
        ("corrections", {"credited_minutes": 60, "reason": "更正"}),
        ("void", {"reason": "作废"}),
    ],
)
def test_an_organizer_cannot_settle_their_own_hours(
    client, organizer, past_activity, add_record, action, body
):
    record = add_record(organizer, past_activity(), 90)
    response = _post(
        client, f"/api/v1/hours/records/{record.id}/{action}", organizer.headers, **body
    )
    assert response.status_code == 403
    assert response.get_json()["error"] == "own_record"
    assert db.session.get(ServiceRecord, record.id).status == "pending"


def test_roster_approval_skips_the_reviewers_own_records(
    client, volunteer, organizer, past_activity, add_record
):
    activity = past_activity()
    other = add_record(volunteer(), activity)
    own = add_record(organizer, activity)
    entered = add_record(volunteer("王五"), activity, created_by_id=organizer.id)

    response = _post(
        client, f"/api/v1/activities/{activity.id}/service-records/approve", organizer.headers
    )

    assert response.get_json()["record_ids"] == [other.id]
    assert db.session.get(ServiceRecord, own.id).status == "pending"
    assert db.session.get(ServiceRecord, entered.id).status == "pending"


def test_disputes_about_records_one_entered_go_to_someone_else(
    client, organizer, second_organizer, manual_record
):
    opened = _post(
        client,
        "/api/v1/me/hours/disputes",
        manual_record.person.headers,
        kind="wrong",
        record_id=manual_record.id,
        claimed_minutes=100,
        description="少记了十分钟",
    )
    assert opened.status_code == 201, opened.get_json()
    url = f"/api/v1/hours/disputes/{opened.get_json()['id']}/resolve"

    by_creator = _post(client, url, organizer.headers, decision="accept", note="同意")
    by_other = _post(client, url, second_organizer.headers, decision="accept", note="同意")

    assert by_creator.status_code == 403
    assert by_creator.get_json()["error"] == "self_review"
    assert by_other.status_code == 200


def test_a_manual_record_needs_a_signup_or_team_membership(
    client, volunteer, organizer, past_activity
):
    team = db.session.query(Team).filter_by(code="T-JL-02").one()
    activity = past_activity(team_id=team.id)
    stranger, member = volunteer(), volunteer("李四")
    db.session.add(HelpResponder(team_id=team.id, user_id=member.id))
    db.session.commit()

    refused = _post(
        client,
        "/api/v1/hours/records",
        organizer.headers,
        user_id=stranger.id,
        activity_id=activity.id,
        credited_minutes=60,
        reason="补录",
    )
    accepted = _post(
        client,
        "/api/v1/hours/records",
        organizer.headers,
        user_id=member.id,
        activity_id=activity.id,
        credited_minutes=60,
        reason="补录",
    )

    assert refused.status_code == 409
    assert refused.get_json()["error"] == "manual_record_needs_link"
    assert accepted.status_code == 201


def test_a_manual_record_has_a_cap(app, client, volunteer, organizer, past_activity, signed_up):
    app.config["MANUAL_RECORD_MAX_MINUTES"] = 60
    person, activity = volunteer(), past_activity(minutes=120)
    signed_up(person, activity)

    over = _post(
        client,
        "/api/v1/hours/records",
        organizer.headers,
        user_id=person.id,
        activity_id=activity.id,
        credited_minutes=61,
        reason="补录",
    )
    within = _post(
        client,
        "/api/v1/hours/records",
        organizer.headers,
        user_id=person.id,
        activity_id=activity.id,
        credited_minutes=60,
        reason="补录",
    )

    assert over.status_code == 422
    assert over.get_json()["error"] == "minutes_over_record_cap"
    assert within.status_code == 201


def test_a_volunteers_day_has_a_cap(
    app, client, volunteer, organizer, past_activity, add_record, signed_up
):
    app.config["DAILY_SERVICE_MAX_MINUTES"] = 150
    person = volunteer()
    morning, evening = past_activity(), past_activity()
    add_record(person, morning, 100)
    signed_up(person, evening)

    over = _post(
        client,
        "/api/v1/hours/records",
        organizer.headers,
        user_id=person.id,
        activity_id=evening.id,
        credited_minutes=51,
        reason="补录",
    )
    within = _post(
        client,
        "/api/v1/hours/records",
        organizer.headers,
        user_id=person.id,
        activity_id=evening.id,
        credited_minutes=50,
        reason="补录",
    )

    assert over.status_code == 409
    assert over.get_json()["error"] == "minutes_over_daily_cap"
    assert within.status_code == 201
