"""The ledger: review one by one and by roster, manual entries, corrections, voiding;
totals right after each step, an audit entry for each, scope enforced."""

import pytest
from sqlalchemy import select

from api.extensions import db
from api.hours.models import STATUS_MOVES, RecordStatus, ServiceRecord
from api.notifications.models import Notification


def _post(client, url, headers, **body):
    return client.post(url, headers=headers, json=body)


def test_approve_then_reject_moves_totals_and_is_audited(
    client, volunteer, organizer, past_activity, add_record, my_hours, audit_actions
):
    person = volunteer()
    first = add_record(person, past_activity(), 90)
    second = add_record(person, past_activity(days_ago=2), 60)
    assert my_hours(person)["pending_minutes"] == 150
    assert my_hours(person)["total_minutes"] == 0

    approved = _post(client, f"/api/v1/hours/records/{first.id}/approve", organizer.headers)
    assert approved.status_code == 200
    assert approved.get_json()["status"] == "approved"
    assert approved.get_json()["reviewed_by_id"] == organizer.id
    mine = my_hours(person)
    assert (mine["total_minutes"], mine["pending_minutes"]) == (90, 60)

    rejected = _post(
        client, f"/api/v1/hours/records/{second.id}/reject", organizer.headers, note="签退时间异常"
    )
    assert rejected.get_json()["status"] == "rejected"
    mine = my_hours(person)
    assert (mine["total_minutes"], mine["pending_minutes"]) == (90, 0)
    assert audit_actions("service_record", first.id) == ["service_record.approve"]
    assert audit_actions("service_record", second.id) == ["service_record.reject"]
    kinds = set(
        db.session.scalars(select(Notification.kind).where(Notification.user_id == person.id))
    )
    assert kinds == {"hours_approved", "hours_rejected"}


def test_a_reviewed_record_cannot_be_reviewed_again(
    client, volunteer, organizer, past_activity, add_record
):
    record = add_record(volunteer(), past_activity())
    _post(client, f"/api/v1/hours/records/{record.id}/approve", organizer.headers)

    again = _post(
        client, f"/api/v1/hours/records/{record.id}/reject", organizer.headers, note="重复审核"
    )

    assert again.status_code == 409
    assert again.get_json()["error"] == "record_not_pending"


def test_rejecting_needs_a_reason(client, volunteer, organizer, past_activity, add_record):
    record = add_record(volunteer(), past_activity())
    response = _post(client, f"/api/v1/hours/records/{record.id}/reject", organizer.headers)
    assert response.status_code == 422
    assert "note" in response.get_json()["errors"]


def test_roster_approval_moves_only_that_activitys_pending_records(
    client, volunteer, organizer, past_activity, add_record, my_hours, audit_actions
):
    activity, other = past_activity(), past_activity(days_ago=3)
    people = [volunteer(f"李{name}") for name in "一二三"]
    records = [add_record(person, activity, 100) for person in people]
    already = add_record(people[0], other, 30, status="rejected")
    elsewhere = add_record(people[1], other, 45)

    response = _post(
        client, f"/api/v1/activities/{activity.id}/service-records/approve", organizer.headers
    )

    assert response.status_code == 200
    assert response.get_json()["record_ids"] == [record.id for record in records]
    assert response.get_json()["count"] == 3
    assert [my_hours(person)["total_minutes"] for person in people] == [100, 100, 100]
    assert db.session.get(ServiceRecord, elsewhere.id).status == "pending"
    assert db.session.get(ServiceRecord, already.id).status == "rejected"
    assert all(
        audit_actions("service_record", record.id) == ["service_record.approve"]
        for record in records
    )


def test_roster_rejection_of_listed_records(
    client, volunteer, organizer, past_activity, add_record
):
    activity = past_activity()
    keep, drop = add_record(volunteer(), activity), add_record(volunteer("王五"), activity)

    response = _post(
        client,
        f"/api/v1/activities/{activity.id}/service-records/reject",
        organizer.headers,
        record_ids=[drop.id],
        note="未实际参加",
    )

    assert response.get_json()["record_ids"] == [drop.id]
    assert db.session.get(ServiceRecord, drop.id).status == "rejected"
    assert db.session.get(ServiceRecord, keep.id).status == "pending"


def test_an_organizer_of_another_township_cannot_review(
    client, volunteer, outsider, past_activity, add_record
):
    activity = past_activity()
    record = add_record(volunteer(), activity)

    one = _post(client, f"/api/v1/hours/records/{record.id}/approve", outsider.headers)
    roster = _post(
        client, f"/api/v1/activities/{activity.id}/service-records/approve", outsider.headers
    )
    correction = _post(
        client,
        f"/api/v1/hours/records/{record.id}/corrections",
        outsider.headers,
        credited_minutes=10,
        reason="越权更正",
    )

    assert [one.status_code, roster.status_code, correction.status_code] == [403, 403, 403]
    assert db.session.get(ServiceRecord, record.id).status == "pending"


def test_a_volunteer_cannot_review_their_own_record(client, volunteer, past_activity, add_record):
    person = volunteer()
    record = add_record(person, past_activity())
    response = _post(client, f"/api/v1/hours/records/{record.id}/approve", person.headers)
    assert response.status_code == 403


def test_a_volunteer_sees_only_their_own_records(
    client, volunteer, past_activity, add_record, my_hours
):
    me, other = volunteer(), volunteer("赵六")
    activity = past_activity()
    mine = add_record(me, activity)
    theirs = add_record(other, activity)

    listed = [record["id"] for record in my_hours(me)["records"]]
    peek = client.get(f"/api/v1/hours/records/{theirs.id}", headers=me.headers)
    own = client.get(f"/api/v1/hours/records/{mine.id}", headers=me.headers)
    organizer_list = client.get("/api/v1/hours/records", headers=me.headers)

    assert listed == [mine.id]
    assert peek.status_code == 403
    assert own.status_code == 200
    assert organizer_list.status_code == 403


def test_organizers_list_their_subtree_with_masked_names(
    client, volunteer, organizer, outsider, past_activity, add_record, corpus_units
):
    record = add_record(volunteer("欧阳小明"), past_activity())
    add_record(
        volunteer("钱七", unit_code="LY-CG"), past_activity(unit_id=corpus_units["LY-CG"].id)
    )

    mine = client.get(
        "/api/v1/hours/records", headers=organizer.headers, query_string={"status": "pending"}
    ).get_json()
    theirs = client.get("/api/v1/hours/records", headers=outsider.headers).get_json()

    assert [row["id"] for row in mine["data"]] == [record.id]
    assert mine["data"][0]["volunteer_name"] == "欧**明"
    assert [row["volunteer_name"] for row in theirs["data"]] == ["钱*"]


def test_manual_entry_is_marked_manual_pending_and_capped(
    client, volunteer, organizer, past_activity, audit_actions, signed_up
):
    person, activity = volunteer(), past_activity(minutes=120)
    signed_up(person, activity, "no_show")

    too_long = _post(
        client,
        "/api/v1/hours/records",
        organizer.headers,
        user_id=person.id,
        activity_id=activity.id,
        credited_minutes=121,
        reason="忘记签到",
    )
    entered = _post(
        client,
        "/api/v1/hours/records",
        organizer.headers,
        user_id=person.id,
        activity_id=activity.id,
        credited_minutes=120,
        reason="忘记签到",
    )

    assert too_long.status_code == 422
    assert too_long.get_json()["error"] == "exceeds_planned_duration"
    assert "120" in too_long.get_json()["errors"]["credited_minutes"][0]
    assert entered.status_code == 201
    body = entered.get_json()
    assert (body["source"], body["status"], body["credited_minutes"]) == ("manual", "pending", 120)
    assert body["created_by_id"] == organizer.id
    assert body["category"] == activity.category
    assert audit_actions("service_record", body["id"]) == ["service_record.create"]


def test_manual_entry_refuses_a_second_live_record(
    client, volunteer, organizer, past_activity, add_record, signed_up
):
    person, activity = volunteer(), past_activity()
    signed_up(person, activity)
    add_record(person, activity)
    response = _post(
        client,
        "/api/v1/hours/records",
        organizer.headers,
        user_id=person.id,
        activity_id=activity.id,
        credited_minutes=30,
        reason="补录",
    )
    assert response.status_code == 409
    assert response.get_json()["error"] == "record_exists"


def test_manual_entry_needs_a_held_activity_in_scope(
    client, volunteer, organizer, outsider, create_activity, past_activity
):
    person = volunteer()
    future = create_activity()
    not_held = _post(
        client,
        "/api/v1/hours/records",
        organizer.headers,
        user_id=person.id,
        activity_id=future.id,
        credited_minutes=30,
        reason="提前登记",
    )
    out_of_scope = _post(
        client,
        "/api/v1/hours/records",
        outsider.headers,
        user_id=person.id,
        activity_id=past_activity().id,
        credited_minutes=30,
        reason="越权",
    )
    assert not_held.status_code == 409
    assert not_held.get_json()["error"] == "activity_not_held"
    assert out_of_scope.status_code == 403


def test_manual_entry_is_for_registered_volunteers(client, create_user, organizer, past_activity):
    resident = create_user()

    response = _post(
        client,
        "/api/v1/hours/records",
        organizer.headers,
        user_id=resident.id,
        activity_id=past_activity().id,
        credited_minutes=30,
        reason="补录",
    )

    assert response.status_code == 409
    assert response.get_json()["error"] == "not_a_volunteer"
    assert response.get_json()["errors"]["user_id"] == ["该用户尚未注册为志愿者"]


def test_correction_appends_a_record_and_voids_the_old(
    client, volunteer, organizer, past_activity, add_record, my_hours, all_records, audit_actions
):
    person = volunteer()
    record = add_record(person, past_activity(), 90, status=RecordStatus.APPROVED)
    assert my_hours(person)["total_minutes"] == 90

    response = _post(
        client,
        f"/api/v1/hours/records/{record.id}/corrections",
        organizer.headers,
        credited_minutes=75,
        reason="签退时间登记有误",
    )

    assert response.status_code == 201
    correction = response.get_json()
    assert correction["corrects_id"] == record.id
    assert (correction["status"], correction["credited_minutes"]) == ("approved", 75)
    assert correction["reason"] == "签退时间登记有误"
    assert correction["created_by_id"] == organizer.id
    old = db.session.get(ServiceRecord, record.id)
    assert (old.status, old.credited_minutes) == ("voided", 90)
    listed = all_records(person)
    assert {row["id"]: row["status"] for row in listed} == {
        record.id: "voided",
        correction["id"]: "approved",
    }
    assert my_hours(person)["total_minutes"] == 75
    assert audit_actions("service_record", record.id) == ["service_record.void"]
    assert audit_actions("service_record", correction["id"]) == ["service_record.correct"]


def test_a_record_is_corrected_once(client, volunteer, organizer, past_activity, add_record):
    record = add_record(volunteer(), past_activity(), status=RecordStatus.APPROVED)
    first = _post(
        client,
        f"/api/v1/hours/records/{record.id}/corrections",
        organizer.headers,
        credited_minutes=60,
        reason="第一次更正",
    )
    second = _post(
        client,
        f"/api/v1/hours/records/{record.id}/corrections",
        organizer.headers,
        credited_minutes=30,
        reason="第二次更正",
    )
    assert first.status_code == 201
    assert second.status_code == 409
    assert second.get_json()["error"] == "record_superseded"


def test_a_correction_is_capped_at_the_planned_duration(
    client, volunteer, organizer, past_activity, add_record
):
    record = add_record(volunteer(), past_activity(minutes=60), status=RecordStatus.APPROVED)
    response = _post(
        client,
        f"/api/v1/hours/records/{record.id}/corrections",
        organizer.headers,
        credited_minutes=61,
        reason="多记",
    )
    assert response.status_code == 422
    assert db.session.get(ServiceRecord, record.id).status == "approved"


def test_voiding_removes_hours_and_keeps_the_record(
    client, volunteer, organizer, past_activity, add_record, my_hours, audit_actions
):
    person = volunteer()
    record = add_record(person, past_activity(), 90, status=RecordStatus.APPROVED)

    response = _post(
        client, f"/api/v1/hours/records/{record.id}/void", organizer.headers, reason="重复登记"
    )

    assert response.get_json()["status"] == "voided"
    assert response.get_json()["review_note"] == "重复登记"
    assert my_hours(person)["total_minutes"] == 0
    assert [row["id"] for row in my_hours(person)["records"]] == [record.id]
    assert audit_actions("service_record", record.id) == ["service_record.void"]


def test_the_ledger_refuses_edits_and_deletes_in_code(app, volunteer, past_activity, add_record):
    record = add_record(volunteer(), past_activity(), 90)

    record.credited_minutes = 600
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(ServiceRecord, record.id))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(ServiceRecord, record.id).credited_minutes == 90


@pytest.mark.parametrize(
    ("start", "moves"),
    [
        (RecordStatus.PENDING, ["approved", "voided"]),
        (RecordStatus.APPROVED, ["pending", "rejected"]),
        (RecordStatus.REJECTED, ["approved", "pending"]),
        (RecordStatus.VOIDED, ["pending", "approved", "rejected"]),
    ],
)
def test_a_status_only_moves_up_in_code(app, volunteer, past_activity, add_record, start, moves):
    person, activity = volunteer(), past_activity()
    for status in moves:
        record = add_record(person, activity, 90, status=start)
        record.status = status
        if status in STATUS_MOVES[start]:
            db.session.commit()
            continue
        with pytest.raises(RuntimeError, match="never moves"):
            db.session.commit()
        db.session.rollback()
        assert db.session.get(ServiceRecord, record.id).status == start


def test_checkout_records_take_category_and_time_from_the_activity(
    volunteer, past_activity, add_record
):
    activity = past_activity(days_ago=40, category="文化文艺")
    record = add_record(volunteer(), activity)
    assert record.category == "文化文艺"
    assert record.served_at == activity.starts_at


def test_unknown_record_is_a_404_envelope(client, organizer):
    response = _post(client, "/api/v1/hours/records/999999/approve", organizer.headers)
    assert response.status_code == 404
    assert response.get_json()["error"] == "service_record_not_found"


def test_help_request_hours_enter_the_ledger_pending(
    volunteer, organizer, corpus_units, my_hours, audit_actions
):
    from datetime import timedelta

    from api.hours.records import add_help_request_record
    from api.timeutil import utcnow

    person = volunteer()
    served_at = utcnow().replace(microsecond=0) - timedelta(days=1)
    record = add_help_request_record(
        organizer.user,
        user_id=person.id,
        unit_id=corpus_units["LY-JL"].id,
        credited_minutes=45,
        category="助老助残",
        served_at=served_at,
        reason="我来帮 #12 完成",
    )
    db.session.commit()

    listed = my_hours(person)["records"]
    assert [
        (row["source"], row["status"], row["category"], row["activity_id"]) for row in listed
    ] == [("help_request", "pending", "助老助残", None)]
    assert my_hours(person)["pending_minutes"] == 45
    assert db.session.get(ServiceRecord, record.id).served_at == served_at
    assert audit_actions("service_record", record.id) == ["service_record.create"]
