"""Disputes: a volunteer contests a wrong record or reports a missing one; an organizer in
scope accepts (the ledger is corrected) or dismisses; totals and audit after each step."""

from sqlalchemy import select

from api.extensions import db
from api.hours.models import RecordStatus, ServiceRecord
from api.notifications.models import Notification


def _contest(client, person, **body):
    return client.post("/api/v1/me/hours/disputes", headers=person.headers, json=body)


def _resolve(client, organizer, dispute_id, **body):
    return client.post(
        f"/api/v1/hours/disputes/{dispute_id}/resolve", headers=organizer.headers, json=body
    )


def test_contest_accept_corrects_the_record(
    client, volunteer, organizer, past_activity, add_record, my_hours, audit_actions
):
    person = volunteer()
    record = add_record(person, past_activity(minutes=180), 60, status=RecordStatus.APPROVED)

    opened = _contest(
        client,
        person,
        kind="wrong",
        record_id=record.id,
        claimed_minutes=150,
        description="我 9 点到 11 点半一直在现场，签退时手机没电",
    )
    assert opened.status_code == 201
    dispute = opened.get_json()
    assert (dispute["status"], dispute["unit_id"]) == ("open", record.unit_id)
    assert my_hours(person)["total_minutes"] == 60

    resolved = _resolve(
        client, organizer, dispute["id"], decision="accept", note="经现场负责人核实"
    )

    assert resolved.status_code == 200
    body = resolved.get_json()
    assert body["status"] == "accepted"
    correction = db.session.get(ServiceRecord, body["result_record_id"])
    assert (correction.corrects_id, correction.credited_minutes, correction.status) == (
        record.id,
        150,
        "approved",
    )
    assert db.session.get(ServiceRecord, record.id).status == "voided"
    assert my_hours(person)["total_minutes"] == 150
    assert audit_actions("hours_dispute", dispute["id"]) == [
        "hours_dispute.open",
        "hours_dispute.accept",
    ]
    assert audit_actions("service_record", correction.id) == ["service_record.correct"]
    messages = list(
        db.session.scalars(select(Notification).where(Notification.user_id == person.id))
    )
    assert [(message.kind, message.title) for message in messages] == [
        ("hours_approved", "时长异议已处理：已采纳")
    ]
    assert messages[0].payload["service_record_id"] == correction.id


def test_contest_dismissed_leaves_the_ledger(
    client, volunteer, organizer, past_activity, add_record, my_hours, audit_actions
):
    person = volunteer()
    record = add_record(person, past_activity(), 60, status=RecordStatus.APPROVED)
    dispute = _contest(
        client,
        person,
        kind="wrong",
        record_id=record.id,
        claimed_minutes=120,
        description="时长少算了",
    ).get_json()

    resolved = _resolve(
        client, organizer, dispute["id"], decision="dismiss", note="签到记录显示您 10 点才到"
    )

    assert resolved.get_json()["status"] == "dismissed"
    assert resolved.get_json()["resolution_note"] == "签到记录显示您 10 点才到"
    assert my_hours(person)["total_minutes"] == 60
    assert db.session.get(ServiceRecord, record.id).status == "approved"
    assert audit_actions("hours_dispute", dispute["id"])[-1] == "hours_dispute.dismiss"
    assert (
        db.session.scalar(select(Notification.title).where(Notification.user_id == person.id))
        == "时长异议已处理：未采纳"
    )


def test_missing_record_accepted_adds_an_approved_manual_record(
    client, volunteer, organizer, past_activity, my_hours
):
    person, activity = volunteer(), past_activity(minutes=120)
    dispute = _contest(
        client,
        person,
        kind="missing",
        activity_id=activity.id,
        claimed_minutes=120,
        description="参加了活动但没有记录",
    ).get_json()
    assert dispute["record_id"] is None

    too_long = _resolve(
        client, organizer, dispute["id"], decision="accept", credited_minutes=121, note="按申报"
    )
    resolved = _resolve(
        client,
        organizer,
        dispute["id"],
        decision="accept",
        credited_minutes=100,
        note="按签到表核定 100 分钟",
    )

    assert too_long.status_code == 422
    assert resolved.status_code == 200, resolved.get_json()
    added = db.session.get(ServiceRecord, resolved.get_json()["result_record_id"])
    assert (added.source, added.status, added.credited_minutes) == ("manual", "approved", 100)
    assert my_hours(person)["total_minutes"] == 100


def test_a_dispute_is_resolved_once(client, volunteer, organizer, past_activity, add_record):
    person = volunteer()
    record = add_record(person, past_activity(), 60)
    dispute = _contest(
        client, person, kind="wrong", record_id=record.id, description="时长有误"
    ).get_json()
    _resolve(client, organizer, dispute["id"], decision="dismiss", note="无误")
    again = _resolve(client, organizer, dispute["id"], decision="dismiss", note="无误")
    assert again.status_code == 409
    assert again.get_json()["error"] == "dispute_closed"


def test_accepting_needs_minutes(client, volunteer, organizer, past_activity, add_record):
    person = volunteer()
    record = add_record(person, past_activity(), 60)
    dispute = _contest(
        client, person, kind="wrong", record_id=record.id, description="时长有误"
    ).get_json()
    response = _resolve(client, organizer, dispute["id"], decision="accept", note="同意")
    assert response.status_code == 422
    assert "credited_minutes" in response.get_json()["errors"]


def test_one_open_dispute_per_record(client, volunteer, past_activity, add_record):
    person = volunteer()
    record = add_record(person, past_activity(), 60)
    first = _contest(client, person, kind="wrong", record_id=record.id, description="有误")
    second = _contest(client, person, kind="wrong", record_id=record.id, description="还是有误")
    assert first.status_code == 201
    assert second.status_code == 409
    assert second.get_json()["error"] == "dispute_exists"


def test_nobody_contests_someone_elses_record(client, volunteer, past_activity, add_record):
    record = add_record(volunteer(), past_activity(), 60)
    response = _contest(
        client, volunteer("路人乙"), kind="wrong", record_id=record.id, description="想改别人的记录"
    )
    assert response.status_code == 404


def test_a_missing_report_for_an_existing_record_points_to_it(
    client, volunteer, past_activity, add_record
):
    person, activity = volunteer(), past_activity()
    add_record(person, activity, 60)
    response = _contest(
        client, person, kind="missing", activity_id=activity.id, description="没有记录"
    )
    assert response.status_code == 409
    assert response.get_json()["error"] == "record_exists"


def test_the_target_is_required(client, volunteer):
    response = _contest(client, volunteer(), kind="wrong", description="有误")
    assert response.status_code == 422
    assert "record_id" in response.get_json()["errors"]


def test_disputes_are_listed_to_their_volunteer_and_the_units_organizers(
    client, volunteer, organizer, outsider, past_activity, add_record
):
    person = volunteer("孙八")
    record = add_record(person, past_activity(), 60)
    dispute = _contest(
        client, person, kind="wrong", record_id=record.id, description="有误"
    ).get_json()

    mine = client.get("/api/v1/me/hours/disputes", headers=person.headers).get_json()
    queue = client.get(
        "/api/v1/hours/disputes", headers=organizer.headers, query_string={"status": "open"}
    ).get_json()
    elsewhere = client.get("/api/v1/hours/disputes", headers=outsider.headers).get_json()
    refused = _resolve(client, outsider, dispute["id"], decision="dismiss", note="越权处理")

    assert [row["id"] for row in mine["data"]] == [dispute["id"]]
    assert [(row["id"], row["volunteer_name"]) for row in queue["data"]] == [(dispute["id"], "孙*")]
    assert elsewhere["data"] == []
    assert refused.status_code == 403
