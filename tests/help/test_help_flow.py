"""The 我来帮 loop through the API: submitted → dispatched → accepted → completed → rated,
with its timestamps, service records, notifications and audit trail; re-dispatch, back to
the queue, a station's claim, rejection, cancellation, hotline entries."""

from datetime import timedelta

from sqlalchemy import select, update

from api.extensions import db
from api.help.models import HelpRequest
from api.hours.models import ServiceRecord
from api.notifications.models import Notification
from api.timeutil import utcnow


def _get(client, person, request_id):
    return client.get(
        f"/api/v1/help-requests/{request_id}", headers=person.headers if person else {}
    )


def test_full_loop_from_request_to_rating(client, submit, act, people, teams, audit_trail):
    created = submit()
    assert created.status_code == 201
    body = created.get_json()
    assert (body["status"], body["channel"], body["moderation"]) == ("submitted", "app", None)
    request_id = body["id"]
    team = teams["T-JL-02"]

    dispatched = act(people.institute, request_id, "dispatch", team_id=team.id)
    assert dispatched.status_code == 200
    assert (dispatched.get_json()["status"], dispatched.get_json()["team_id"]) == (
        "dispatched",
        team.id,
    )
    accepted = act(people.responder, request_id, "accept")
    assert accepted.get_json()["status"] == "accepted"
    completed = act(
        people.responder,
        request_id,
        "complete",
        report="已清理排水沟，恢复通畅",
        volunteers=[{"user_id": people.responder.id, "minutes": 90}],
    )
    assert completed.status_code == 200, completed.get_json()
    assert completed.get_json()["completion_report"] == "已清理排水沟，恢复通畅"
    rated = act(people.requester, request_id, "rate", rating=4, comment="来得很及时，谢谢")
    assert rated.status_code == 200

    final = rated.get_json()
    assert (final["status"], final["rating"], final["rating_comment"]) == (
        "rated",
        4,
        "来得很及时，谢谢",
    )
    assert final["auto_rated"] is False
    for stamp in (
        "created_at",
        "dispatched_at",
        "assigned_at",
        "accepted_at",
        "completed_at",
        "rated_at",
    ):
        assert final[stamp].endswith("+08:00"), stamp
    for measure in (
        "time_to_dispatch_seconds",
        "time_to_accept_seconds",
        "time_to_complete_seconds",
    ):
        assert final[measure] is not None and final[measure] >= 0, measure
    assert audit_trail(request_id) == [
        ("help_request.submit", people.requester.id),
        ("help_request.dispatch", people.institute.id),
        ("help_request.accept", people.responder.id),
        ("help_request.complete", people.responder.id),
        ("help_request.rate", people.requester.id),
    ]


def test_time_measures_follow_the_timestamps(client, request_in, people):
    request_id = request_in("completed")
    help_request = db.session.get(HelpRequest, request_id)
    start = help_request.created_at
    db.session.execute(
        update(HelpRequest)
        .where(HelpRequest.id == request_id)
        .values(
            created_at=start - timedelta(hours=5),
            dispatched_at=start - timedelta(hours=3),
            assigned_at=start - timedelta(hours=3),
            accepted_at=start - timedelta(hours=2),
            completed_at=start - timedelta(minutes=30),
        )
    )
    db.session.commit()

    body = _get(client, people.institute, request_id).get_json()

    assert (
        body["time_to_dispatch_seconds"],
        body["time_to_accept_seconds"],
        body["time_to_complete_seconds"],
    ) == (2 * 3600, 3600, 90 * 60)


def test_completion_writes_pending_help_request_records(client, request_in, act, people, teams):
    request_id = request_in("accepted")

    act(
        people.responder,
        request_id,
        "complete",
        report="已办结",
        volunteers=[{"user_id": people.responder.id, "minutes": 75}],
    )

    records = list(db.session.scalars(select(ServiceRecord)))
    assert [
        (
            record.user_id,
            record.credited_minutes,
            record.source,
            record.status,
            record.category,
            record.unit_id,
            record.activity_id,
        )
        for record in records
    ] == [
        (
            people.responder.id,
            75,
            "help_request",
            "pending",
            "卫生环保",
            teams["T-JL-02"].unit_id,
            None,
        )
    ]
    assert f"#{request_id}" in records[0].reason


def test_completion_refuses_unregistered_or_repeated_volunteers(client, request_in, act, people):
    request_id = request_in("accepted")

    unregistered = act(
        people.responder,
        request_id,
        "complete",
        report="已办结",
        volunteers=[{"user_id": people.other_resident.id, "minutes": 30}],
    )
    repeated = act(
        people.responder,
        request_id,
        "complete",
        report="已办结",
        volunteers=[{"user_id": people.responder.id, "minutes": 30}] * 2,
    )

    assert unregistered.status_code == repeated.status_code == 422
    assert "volunteers" in unregistered.get_json()["errors"]
    assert db.session.scalar(select(ServiceRecord.id)) is None
    assert db.session.get(HelpRequest, request_id).status == "accepted"


def test_dispatch_and_completion_notify_team_and_requester(client, request_in, act, people):
    request_id = request_in("dispatched")
    act(people.responder, request_id, "accept")
    act(
        people.responder,
        request_id,
        "complete",
        report="已办结",
        volunteers=[{"user_id": people.responder.id, "minutes": 30}],
    )

    rows = db.session.execute(
        select(Notification.user_id, Notification.kind).order_by(Notification.id)
    ).all()
    assert [tuple(row) for row in rows] == [
        (people.responder.id, "help_dispatched"),
        (people.leader_responder.id, "help_dispatched"),
        (people.requester.id, "help_dispatched"),
        (people.requester.id, "help_completed"),
    ]
    payload = db.session.scalars(select(Notification.payload)).first()
    assert payload == {
        "help_request_id": request_id,
        "help_title": "卫生环保求助",
        "team_name": "巨陵镇卫生环保志愿服务队",
    }


def test_redispatch_moves_the_request_and_its_data_to_the_new_team(
    client, request_in, act, people, teams, audit_trail
):
    request_id = request_in("accepted")
    first_dispatch = db.session.get(HelpRequest, request_id).dispatched_at

    moved = act(people.institute, request_id, "redispatch", team_id=teams["T-JL-01"].id)

    assert moved.status_code == 200
    body = moved.get_json()
    assert (body["status"], body["team_id"], body["accepted_at"]) == (
        "dispatched",
        teams["T-JL-01"].id,
        None,
    )
    db.session.expire_all()
    assert db.session.get(HelpRequest, request_id).dispatched_at == first_dispatch
    assert _get(client, people.responder, request_id).status_code == 404
    assert _get(client, people.other_responder, request_id).get_json()["phone"] == "13912345678"
    assert act(people.responder, request_id, "accept").status_code == 403
    assert act(people.other_responder, request_id, "accept").status_code == 200
    assert audit_trail(request_id)[-2][0] == "help_request.redispatch"


def test_redispatch_to_the_same_team_is_refused(client, request_in, act, people, teams):
    request_id = request_in("dispatched")

    response = act(people.institute, request_id, "redispatch", team_id=teams["T-JL-02"].id)

    assert response.status_code == 422
    assert "team_id" in response.get_json()["errors"]


def test_requeue_sends_the_request_back_to_the_queue(client, request_in, act, people, teams):
    request_id = request_in("accepted")

    back = act(people.institute, request_id, "requeue", reason="队伍人手不足")

    assert back.status_code == 200
    assert (back.get_json()["status"], back.get_json()["team_id"]) == ("submitted", None)
    queue = client.get("/api/v1/help-requests", headers=people.institute.headers).get_json()
    assert [item["id"] for item in queue["data"]] == [request_id]
    again = act(people.institute, request_id, "dispatch", team_id=teams["T-JL-01"].id)
    assert again.get_json()["status"] == "dispatched"


def test_a_station_claims_a_request_routed_down_to_it(
    client, submit, act, people, corpus_units, audit_trail
):
    created = submit(unit_id=corpus_units["LY-JL"].id).get_json()
    assert created["township_name"] == "巨陵镇新时代文明实践所"

    # At the township the station has no say (403); its dispatchers may not claim it for a
    # station before they route it down (409).
    not_hers = act(people.station, created["id"], "claim")
    not_yet = act(people.institute, created["id"], "claim")
    routed = act(people.institute, created["id"], "route", unit_id=corpus_units["LY-JL-YFC"].id)
    claimed = act(people.station, created["id"], "claim")

    assert not_hers.status_code == 403
    assert not_yet.status_code == 409
    assert not_yet.get_json()["error"] == "not_routed_to_station"
    assert routed.status_code == 200
    assert routed.get_json()["unit_id"] == corpus_units["LY-JL-YFC"].id
    assert claimed.status_code == 200
    body = claimed.get_json()
    assert (body["status"], body["claimed_unit_id"], body["team_id"]) == (
        "accepted",
        corpus_units["LY-JL-YFC"].id,
        None,
    )
    assert body["dispatched_at"] == body["accepted_at"]
    station_volunteer = people.volunteer.user.volunteer
    station_volunteer.unit_id = corpus_units["LY-JL-YFC"].id
    db.session.commit()
    done = act(
        people.station,
        created["id"],
        "complete",
        report="站里志愿者已上门处理",
        volunteers=[{"user_id": people.volunteer.id, "minutes": 45}],
    )
    assert done.status_code == 200
    record = db.session.scalars(select(ServiceRecord)).one()
    assert record.unit_id == corpus_units["LY-JL-YFC"].id
    assert [action for action, _ in audit_trail(created["id"])] == [
        "help_request.submit",
        "help_request.route",
        "help_request.claim",
        "help_request.complete",
    ]


def test_routing_stays_in_the_dispatchers_subtree(client, request_in, act, people, corpus_units):
    request_id = request_in("submitted")

    elsewhere = act(people.institute, request_id, "route", unit_id=corpus_units["LY-CG"].id)
    same = act(people.institute, request_id, "route", unit_id=corpus_units["LY-JL-YFC"].id)
    by_station = act(people.station, request_id, "route", unit_id=corpus_units["LY-JL-JLC"].id)

    assert elsewhere.status_code == 403
    assert same.status_code == 422
    assert by_station.status_code == 403
    assert db.session.get(HelpRequest, request_id).unit_id == corpus_units["LY-JL-YFC"].id


def test_another_station_cannot_claim(client, request_in, act, people):
    request_id = request_in("submitted")

    assert act(people.other_station, request_id, "claim").status_code == 403


def test_dispatch_needs_a_dispatcher_in_scope_and_a_team_with_responders(
    client, request_in, act, people, teams
):
    request_id = request_in("submitted")

    by_resident = act(people.other_resident, request_id, "dispatch", team_id=teams["T-JL-02"].id)
    by_outsider = act(people.outsider, request_id, "dispatch", team_id=teams["T-JL-02"].id)
    by_leader = act(people.team_leader, request_id, "dispatch", team_id=teams["T-JL-02"].id)
    county_team = act(people.institute, request_id, "dispatch", team_id=teams["T-LY-09"].id)
    no_responders = act(people.institute, request_id, "dispatch", team_id=teams["T-JL-03"].id)
    unknown_team = act(people.institute, request_id, "dispatch", team_id=999_999)

    assert [
        by_resident.status_code,
        by_outsider.status_code,
        by_leader.status_code,
        county_team.status_code,
    ] == [403, 403, 403, 403]
    assert no_responders.status_code == 409
    assert no_responders.get_json()["error"] == "team_has_no_responders"
    assert unknown_team.status_code == 422
    assert db.session.get(HelpRequest, request_id).status == "submitted"


def test_the_center_dispatches_to_county_teams(client, request_in, act, people, teams):
    request_id = request_in("submitted")
    act(people.admin, request_id, "dispatch", team_id=teams["T-JL-02"].id)

    moved = act(people.center, request_id, "redispatch", team_id=teams["T-JL-01"].id)

    assert moved.status_code == 200


def test_reject_shows_the_reason_to_the_requester_only(client, request_in, act, people):
    request_id = request_in("submitted")

    rejected = act(people.institute, request_id, "reject", reason="该事项请联系供电所")

    assert rejected.get_json()["status"] == "rejected"
    mine = _get(client, people.requester, request_id).get_json()
    assert (mine["status"], mine["reject_reason"]) == ("rejected", "该事项请联系供电所")
    assert mine["closed_at"] is not None
    board = client.get("/api/v1/help-requests/board").get_data(as_text=True)
    assert "供电所" not in board


def test_reject_needs_a_reason(client, request_in, act, people):
    request_id = request_in("submitted")

    response = act(people.institute, request_id, "reject")

    assert response.status_code == 422
    assert "reason" in response.get_json()["errors"]


def test_the_requester_cancels_and_nobody_else(client, request_in, act, people):
    request_id = request_in("dispatched")

    by_other = act(people.other_resident, request_id, "cancel", reason="不需要了")
    by_team = act(people.responder, request_id, "cancel", reason="不需要了")
    mine = act(people.requester, request_id, "cancel", reason="邻居已帮忙解决")

    assert (by_other.status_code, by_team.status_code) == (403, 403)
    assert mine.status_code == 200
    assert (mine.get_json()["status"], mine.get_json()["cancel_reason"]) == (
        "cancelled",
        "邻居已帮忙解决",
    )


def test_hotline_staff_enter_a_callers_request_and_record_the_rating(
    client, request_body, act, people, teams, wechat_stub
):
    entered = client.post(
        "/api/v1/help-requests",
        headers=people.institute.headers,
        json=request_body(channel="hotline", description="老人独居，水管冻裂了，请帮忙处理"),
    )

    assert entered.status_code == 201
    body = entered.get_json()
    assert (body["channel"], body["status"], body["moderation"]) == (
        "hotline",
        "submitted",
        "staff",
    )
    assert wechat_stub.calls_to("msg_sec_check") == []
    request_id = body["id"]
    act(people.institute, request_id, "dispatch", team_id=teams["T-JL-02"].id)
    act(people.responder, request_id, "accept")
    act(
        people.responder,
        request_id,
        "complete",
        report="已更换水管",
        volunteers=[{"user_id": people.responder.id, "minutes": 120}],
    )
    rated = act(people.institute, request_id, "rate", rating=5, comment="电话回访：很满意")
    assert rated.status_code == 200
    assert rated.get_json()["rating"] == 5


def test_only_dispatchers_enter_hotline_requests(client, request_body, people):
    response = client.post(
        "/api/v1/help-requests",
        headers=people.requester.headers,
        json=request_body(channel="hotline"),
    )

    assert response.status_code == 403


def test_submitting_needs_sign_in_and_valid_fields(client, request_body, people):
    anonymous = client.post("/api/v1/help-requests", json=request_body())
    bad = client.post(
        "/api/v1/help-requests",
        headers=people.requester.headers,
        json=request_body(category="修电脑", phone="12345", unit_id=999_999),
    )
    unknown_field = client.post(
        "/api/v1/help-requests",
        headers=people.requester.headers,
        json=request_body(priority="high"),
    )

    assert anonymous.status_code == 401
    assert bad.status_code == 422
    assert "category" in bad.get_json()["errors"]
    assert unknown_field.status_code == 422
    assert db.session.scalar(select(HelpRequest.id)) is None


def test_unknown_unit_is_a_field_error(client, submit):
    response = submit(unit_id=999_999)

    assert response.status_code == 422
    assert "unit_id" in response.get_json()["errors"]


def test_the_dispatchers_queue_is_their_subtree_oldest_first(client, submit, people, corpus_units):
    first = submit().get_json()["id"]
    second = submit(unit_id=corpus_units["LY-JL-JLC"].id).get_json()["id"]
    elsewhere = submit(unit_id=corpus_units["LY-CG"].id).get_json()["id"]

    def queue(person):
        body = client.get("/api/v1/help-requests", headers=person.headers).get_json()
        return [item["id"] for item in body["data"]]

    assert queue(people.center) == [first, second, elsewhere]
    assert queue(people.institute) == [first, second]
    assert queue(people.station) == [first]
    assert queue(people.outsider) == [elsewhere]
    assert client.get("/api/v1/help-requests", headers=people.requester.headers).status_code == 403


def test_the_assigned_list_holds_the_requests_of_my_teams(client, request_in, people):
    request_id = request_in("dispatched")
    request_in("submitted")

    def assigned(person):
        body = client.get("/api/v1/help-requests/assigned", headers=person.headers).get_json()
        return [item["id"] for item in body["data"]]

    assert assigned(people.responder) == [request_id]
    assert assigned(people.other_responder) == []


def test_my_requests_lists_mine_newest_first(client, submit, people):
    first = submit().get_json()["id"]
    second = submit().get_json()["id"]
    submit(person=people.other_resident)

    body = client.get("/api/v1/me/help-requests", headers=people.requester.headers).get_json()

    assert [item["id"] for item in body["data"]] == [second, first]
    assert body["pagination"]["total"] == 2


def test_actions_tell_each_viewer_what_they_may_do(client, request_in, people):
    request_id = request_in("dispatched")

    def actions(person):
        return _get(client, person, request_id).get_json()["actions"]

    assert actions(people.responder) == ["accept"]
    assert actions(people.requester) == ["cancel"]
    assert actions(people.institute) == ["redispatch", "requeue"]


def test_make_an_activity_of_an_accepted_request(client, request_in, people, teams):
    request_id = request_in("accepted")
    starts = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    body = {
        "title": "油坊陈村排水沟清理",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "address": "油坊陈村村委会集合",
    }
    url = f"/api/v1/help-requests/{request_id}/activity"
    leader = people.leader_responder

    plain_responder = client.post(url, headers=people.responder.headers, json=body)
    made = client.post(url, headers=leader.headers, json=body)
    again = client.post(url, headers=leader.headers, json=body)

    assert plain_responder.status_code == 403
    assert made.status_code == 201, made.get_json()
    activity_id = made.get_json()["activity_id"]
    activity = client.get(f"/api/v1/activities/{activity_id}", headers=leader.headers).get_json()
    assert (
        activity["status"],
        activity["team_id"],
        activity["category"],
        activity["audience"],
    ) == ("draft", teams["T-JL-02"].id, "卫生环保", "volunteers")
    assert "3组12号" not in str(activity)
    assert again.status_code == 409
    assert again.get_json()["error"] == "activity_exists"


def test_responders_are_set_by_the_admins_of_the_teams_unit(client, people, teams, create_user):
    newcomer = create_user()
    url = f"/api/v1/help-teams/{teams['T-JL-03'].id}/responders"

    refused = client.put(url, headers=people.outsider.headers, json={"user_ids": [newcomer.id]})
    unknown = client.put(url, headers=people.institute.headers, json={"user_ids": [999_999]})
    saved = client.put(url, headers=people.institute.headers, json={"user_ids": [newcomer.id]})

    assert refused.status_code == 403
    assert unknown.status_code == 422
    assert saved.status_code == 200
    assert [row["user_id"] for row in saved.get_json()] == [newcomer.id]
    listed = client.get(url, headers=people.institute.headers).get_json()
    assert [row["user_id"] for row in listed] == [newcomer.id]


def test_responders_of_an_unknown_team_are_404(client, people):
    url, headers = "/api/v1/help-teams/987654/responders", people.institute.headers

    listed = client.get(url, headers=headers)
    saved = client.put(url, headers=headers, json={"user_ids": []})

    assert [(answer.status_code, answer.get_json()["error"]) for answer in (listed, saved)] == [
        (404, "team_not_found")
    ] * 2
