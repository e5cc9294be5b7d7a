"""Fixtures of the 我来帮 tests: the people around a request in 巨陵镇 (requester,
dispatchers at station, institute and center, team responders, bystanders of every role),
and a factory that drives a request into any state through the API."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from api.accounts.services import register_volunteer
from api.audit.models import AuditEntry
from api.extensions import db
from api.help.models import HelpResponder
from api.units.models import Team

PHONE = "13912345678"
ADDRESS = "临颍县巨陵镇油坊陈村3组12号"
CONTACT = "陈桂兰"


@pytest.fixture
def teams(corpus_units) -> dict[str, Team]:
    return {team.code: team for team in db.session.scalars(select(Team))}


@pytest.fixture
def people(create_user, auth_headers, corpus_units, teams):
    """Everyone a request in 巨陵镇油坊陈村 may meet, signed in."""

    def person(username=None, roles=(), responds_for=None, volunteer_phone=None):
        user = create_user(username, roles=list(roles))
        if responds_for:
            db.session.add(HelpResponder(team_id=teams[responds_for].id, user_id=user.id))
            db.session.commit()
        if volunteer_phone:
            register_volunteer(
                user, real_name="李志愿", phone=volunteer_phone, unit_id=corpus_units["LY-JL"].id
            )
        return SimpleNamespace(user=user, id=user.id, headers=auth_headers(user))

    return SimpleNamespace(
        requester=person(),
        other_resident=person(),
        station=person("yfc-admin", [("unit_admin", "LY-JL-YFC")]),
        other_station=person("jlc-admin", [("unit_admin", "LY-JL-JLC")]),
        institute=person("jl-admin", [("unit_admin", "LY-JL")]),
        center=person("ly-admin", [("unit_admin", "LY")]),
        admin=person("root", [("admin", None)]),
        outsider=person("cg-admin", [("unit_admin", "LY-CG")]),
        editor=person("editor", [("editor", "LY")]),
        team_leader=person("jl-leader", [("team_leader", "LY-JL")]),
        volunteer=person(volunteer_phone="13800001111"),
        responder=person(responds_for="T-JL-02", volunteer_phone="13800002222"),
        other_responder=person(responds_for="T-JL-01", volunteer_phone="13800003333"),
        # A responder who also organizes activities (team leader of the township).
        leader_responder=person(
            "jl-leader-responder", [("team_leader", "LY-JL")], responds_for="T-JL-02"
        ),
    )


@pytest.fixture
def request_body(corpus_units):
    """Factory: the JSON of a resident's request (at the 油坊陈村 station by default)."""

    def body(**overrides) -> dict:
        return {
            "category": "卫生环保",
            "description": "家门口的排水沟堵塞，雨天积水，需要志愿者帮忙清理",
            "address": ADDRESS,
            "contact_name": CONTACT,
            "phone": PHONE,
            "preferred_time": "周六上午",
            "unit_id": corpus_units["LY-JL-YFC"].id,
            **overrides,
        }

    return body


@pytest.fixture
def act(client):
    """Factory: POST one move of a request as a person; returns the response."""

    def post(person, request_id: int, action: str, **body):
        return client.post(
            f"/api/v1/help-requests/{request_id}/{action}",
            headers=person.headers if person else {},
            json=body,
        )

    return post


@pytest.fixture
def submit(client, people, request_body):
    """Factory: the requester submits a request; returns the response."""

    def post(person=None, **overrides):
        return client.post(
            "/api/v1/help-requests",
            headers=(person or people.requester).headers,
            json=request_body(**overrides),
        )

    return post


@pytest.fixture
def request_in(submit, act, people, teams):
    """Factory: a request driven through the API into ``state``; returns its id."""

    def drive(state: str) -> int:
        if state == "held":
            response = submit(description="想找人帮忙清理排水沟，方便的话加微信联系")
            assert response.get_json()["status"] == "held", response.get_json()
            return response.get_json()["id"]
        response = submit()
        assert response.status_code == 201, response.get_json()
        request_id = response.get_json()["id"]
        steps = {
            "submitted": [],
            "rejected": [(people.institute, "reject", {"reason": "不属于服务范围"})],
            "cancelled": [(people.requester, "cancel", {"reason": "问题已自行解决"})],
            "dispatched": [(people.institute, "dispatch", {"team_id": teams["T-JL-02"].id})],
        }
        steps["accepted"] = [*steps["dispatched"], (people.responder, "accept", {})]
        steps["completed"] = [
            *steps["accepted"],
            (
                people.responder,
                "complete",
                {
                    "report": "已清理排水沟",
                    "volunteers": [{"user_id": people.responder.id, "minutes": 90}],
                },
            ),
        ]
        steps["rated"] = [*steps["completed"], (people.requester, "rate", {"rating": 5})]
        for person, action, body in steps[state]:
            moved = act(person, request_id, action, **body)
            assert moved.status_code == 200, (action, moved.get_json())
        return request_id

    return drive


@pytest.fixture
def audit_trail(app):
    """Factory: the audit actions (and actors) written about one help request, in order."""

    def trail(request_id: int) -> list[tuple[str, int | None]]:
        return [
            (entry.action, entry.actor_id)
            for entry in db.session.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.entity_type == "help_request",
                    AuditEntry.entity_id == str(request_id),
                )
                .order_by(AuditEntry.id)
            )
        ]

    return trail
