"""Organizers create, edit, publish and cancel within their subtree; weekly series."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from api.extensions import db
from api.notifications.models import Notification
from api.timeutil import LOCAL_TZ, utcnow
from api.units.models import Team


def _new_activity_body(unit_id: int, **overrides) -> dict:
    starts = (
        (utcnow() + timedelta(days=3))
        .astimezone(LOCAL_TZ)
        .replace(hour=9, minute=0, second=0, microsecond=0)
    )
    body = {
        "title": "防诈骗宣讲",
        "theme": "history",
        "category": "理论政策宣讲",
        "unit_id": unit_id,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "capacity": 30,
    }
    body.update(overrides)
    return body


def test_institute_admin_creates_and_publishes_in_its_subtree(
    client, create_user, auth_headers, corpus_units
):
    headers = auth_headers(create_user("julin", roles=[("unit_admin", "LY-JL")]))
    created = client.post(
        "/api/v1/activities", headers=headers, json=_new_activity_body(corpus_units["LY-JL-YFC"].id)
    )
    assert created.status_code == 201
    assert created.get_json()["status"] == "draft"

    published = client.post(
        f"/api/v1/activities/{created.get_json()['id']}/publish", headers=headers
    )

    assert published.status_code == 200
    assert published.get_json()["status"] == "published"


def test_another_townships_admin_is_refused(
    client, create_user, auth_headers, corpus_units, create_activity
):
    headers = auth_headers(create_user("chengguan", roles=[("unit_admin", "LY-CG")]))
    activity = create_activity()  # in LY-JL

    created = client.post(
        "/api/v1/activities", headers=headers, json=_new_activity_body(corpus_units["LY-JL"].id)
    )
    edited = client.patch(
        f"/api/v1/activities/{activity.id}", headers=headers, json={"title": "改名"}
    )

    assert created.status_code == 403
    assert edited.status_code == 403
    assert edited.get_json()["error"] == "forbidden"


def test_residents_cannot_organize(client, create_user, auth_headers, corpus_units):
    response = client.post(
        "/api/v1/activities",
        headers=auth_headers(create_user()),
        json=_new_activity_body(corpus_units["LY-JL"].id),
    )
    assert response.status_code == 403


def test_end_before_start_is_a_field_error(client, create_user, auth_headers, corpus_units):
    headers = auth_headers(create_user("admin", roles=[("admin", "LY")]))
    body = _new_activity_body(corpus_units["LY"].id)
    body["ends_at"], body["starts_at"] = body["starts_at"], body["ends_at"]
    response = client.post("/api/v1/activities", headers=headers, json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"ends_at": ["结束时间应晚于开始时间"]}


def _notifications(kind: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.kind == kind)))


def test_cancelling_notifies_everyone_signed_up(client, create_user, auth_headers, create_activity):
    admin = auth_headers(create_user("admin", roles=[("admin", "LY")]))
    activity = create_activity(capacity=1)
    people = [create_user() for _ in range(2)]
    for person in people:
        client.post(f"/api/v1/activities/{activity.id}/signups", headers=auth_headers(person))

    response = client.post(
        f"/api/v1/activities/{activity.id}/cancel",
        headers=admin,
        json={"reason": "寒潮预警，活动取消"},
    )

    assert response.get_json()["status"] == "cancelled"
    notified = {n.user_id for n in _notifications("activity_cancelled")}
    assert notified == {person.id for person in people}
    again = client.post(
        f"/api/v1/activities/{activity.id}/cancel", headers=admin, json={"reason": "重复"}
    )
    assert again.status_code == 409


def test_moving_an_activity_notifies_and_renaming_does_not(
    client, create_user, auth_headers, create_activity
):
    admin = auth_headers(create_user("admin", roles=[("admin", "LY")]))
    activity = create_activity()
    person = create_user()
    client.post(f"/api/v1/activities/{activity.id}/signups", headers=auth_headers(person))

    client.patch(f"/api/v1/activities/{activity.id}", headers=admin, json={"title": "新标题"})
    assert _notifications("activity_changed") == []
    later = (activity.starts_at + timedelta(hours=3)).astimezone(LOCAL_TZ)
    client.patch(
        f"/api/v1/activities/{activity.id}",
        headers=admin,
        json={"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=1)).isoformat()},
    )

    assert [n.user_id for n in _notifications("activity_changed")] == [person.id]


def test_capacity_cannot_drop_below_confirmed(client, create_user, auth_headers, create_activity):
    admin = auth_headers(create_user("admin", roles=[("admin", "LY")]))
    activity = create_activity(capacity=5)
    for _ in range(3):
        client.post(
            f"/api/v1/activities/{activity.id}/signups", headers=auth_headers(create_user())
        )
    response = client.patch(
        f"/api/v1/activities/{activity.id}", headers=admin, json={"capacity": 2}
    )
    assert response.status_code == 409
    assert response.get_json()["error"] == "capacity_below_confirmed"


def _series_body(unit_id: int, first: date, last: date) -> dict:
    return {
        "rule": {
            "weekdays": [0, 1, 2, 3, 4],
            "start_time": "16:30",
            "end_time": "18:30",
            "first_date": first.isoformat(),
            "last_date": last.isoformat(),
        },
        "template": {
            "title": "放学娃之家",
            "theme": "caring",
            "category": "助学支教",
            "unit_id": unit_id,
            "capacity": 15,
        },
        "publish": True,
    }


def test_weekday_series_has_the_right_dates(client, create_user, auth_headers, corpus_units):
    admin = auth_headers(create_user("admin", roles=[("admin", "LY")]))
    body = _series_body(corpus_units["LY-JL"].id, date(2030, 3, 1), date(2030, 3, 31))

    response = client.post("/api/v1/activity-series", headers=admin, json=body)

    assert response.status_code == 201
    starts = [item["starts_at"] for item in response.get_json()["occurrences"]]
    weekdays_of_march = [day for day in range(1, 32) if date(2030, 3, day).weekday() < 5]
    assert starts == [f"2030-03-{day:02d}T16:30:00+08:00" for day in weekdays_of_march]
    assert {item["capacity"] for item in response.get_json()["occurrences"]} == {15}


def test_editing_a_series_leaves_past_sessions_and_signups_alone(
    client, create_user, auth_headers, corpus_units, frozen_clock
):
    # Noon: today's 16:30 session is still to come, and moving it to 15:00 keeps it so.
    frozen_clock(datetime(2027, 3, 10, 4, 0, tzinfo=UTC))
    admin = auth_headers(create_user("admin", roles=[("admin", "LY")]))
    today = date(2027, 3, 10)
    body = _series_body(
        corpus_units["LY-JL"].id, today - timedelta(days=14), today + timedelta(days=14)
    )
    body["rule"]["weekdays"] = list(range(7))
    created = client.post("/api/v1/activity-series", headers=admin, json=body).get_json()
    past = [
        item
        for item in created["occurrences"]
        if datetime.fromisoformat(item["starts_at"]) < utcnow()
    ]
    future = [
        item
        for item in created["occurrences"]
        if datetime.fromisoformat(item["starts_at"]) > utcnow()
    ]
    person = auth_headers(create_user())
    signed = client.post(f"/api/v1/activities/{future[0]['id']}/signups", headers=person)
    assert signed.status_code == 201

    response = client.patch(
        f"/api/v1/activity-series/{created['id']}",
        headers=admin,
        json={
            "rule": {"start_time": "15:00", "end_time": "17:00", "weekdays": [0, 1, 2, 3, 4]},
            "template": {"title": "放学娃之家（新学期）", "capacity": 20},
        },
    )

    assert response.status_code == 200
    after = {item["id"]: item for item in response.get_json()["occurrences"]}
    for item in past:
        assert after[item["id"]] == item
    for item in future:
        updated = after[item["id"]]
        day = datetime.fromisoformat(item["starts_at"]).date()
        if day.weekday() >= 5:
            assert updated["status"] == "cancelled"
        else:
            assert updated["title"] == "放学娃之家（新学期）"
            assert updated["starts_at"].endswith("T15:00:00+08:00")
            assert updated["capacity"] == 20
    kept = client.get(f"/api/v1/activities/{future[0]['id']}", headers=person).get_json()
    assert kept["my_signup"]["id"] == signed.get_json()["id"]


def test_a_series_rule_without_dates_is_refused(client, create_user, auth_headers, corpus_units):
    admin = auth_headers(create_user("admin", roles=[("admin", "LY")]))
    body = _series_body(corpus_units["LY-JL"].id, date(2030, 3, 2), date(2030, 3, 3))  # weekend
    response = client.post("/api/v1/activity-series", headers=admin, json=body)
    assert response.status_code == 422
    assert "weekdays" in response.get_json()["errors"]
    assert time(16, 30)  # the rule above uses local times of day


def test_geofence_defaults_to_500_metres_and_can_be_switched_off(
    client, create_user, auth_headers, corpus_units
):
    headers = auth_headers(create_user("admin", roles=[("admin", "LY")]))
    unit_id = corpus_units["LY"].id
    fenced = client.post("/api/v1/activities", headers=headers, json=_new_activity_body(unit_id))
    open_air = client.post(
        "/api/v1/activities",
        headers=headers,
        json=_new_activity_body(unit_id, geofence_metres=None),
    )
    assert fenced.get_json()["geofence_metres"] == 500
    assert open_air.get_json()["geofence_metres"] is None


def test_a_series_shows_its_drafts_only_to_organizers_of_its_unit(
    client, create_user, auth_headers, corpus_units
):
    organizer = auth_headers(create_user("jl-admin", roles=[("unit_admin", "LY-JL")]))
    outsider = auth_headers(create_user("cg-admin", roles=[("unit_admin", "LY-CG")]))
    resident = auth_headers(create_user())
    body = _series_body(corpus_units["LY-JL"].id, date(2030, 3, 4), date(2030, 3, 8))
    body["publish"] = False
    created = client.post("/api/v1/activity-series", headers=organizer, json=body).get_json()
    url = f"/api/v1/activity-series/{created['id']}"

    for headers in ({}, resident, outsider):
        hidden = client.get(url, headers=headers)
        assert hidden.status_code == 404
        assert hidden.get_json()["error"] == "series_not_found"
        assert "放学娃之家" not in hidden.get_data(as_text=True)

    first = created["occurrences"][0]["id"]
    assert client.post(f"/api/v1/activities/{first}/publish", headers=organizer).status_code == 200
    for headers in ({}, resident):
        shown = client.get(url, headers=headers).get_json()
        assert [item["id"] for item in shown["occurrences"]] == [first]
    managed = client.get(url, headers=organizer).get_json()
    assert len(managed["occurrences"]) == 5


def test_an_organizer_attaches_only_teams_of_their_subtree(
    client, create_user, auth_headers, corpus_units
):
    teams = {team.code: team.id for team in db.session.scalars(select(Team))}
    headers = auth_headers(create_user("jl-admin", roles=[("unit_admin", "LY-JL")]))
    unit_id = corpus_units["LY-JL"].id

    foreign = client.post(
        "/api/v1/activities",
        headers=headers,
        json=_new_activity_body(unit_id, team_id=teams["T-CG-01"]),
    )
    own = client.post(
        "/api/v1/activities",
        headers=headers,
        json=_new_activity_body(unit_id, team_id=teams["T-JL-02"]),
    )
    moved = client.patch(
        f"/api/v1/activities/{own.get_json()['id']}",
        headers=headers,
        json={"team_id": teams["T-CG-01"]},
    )

    assert foreign.status_code == moved.status_code == 403
    assert foreign.get_json()["error"] == moved.get_json()["error"] == "team_out_of_scope"
    assert own.status_code == 201
    assert (
        client.get(f"/api/v1/activities/{own.get_json()['id']}", headers=headers).get_json()[
            "team_id"
        ]
        == teams["T-JL-02"]
    )
