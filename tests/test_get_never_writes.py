"""A GET never writes (DESIGN §4 invariant 11): over the main GET endpoints, with everything
due that a GET used to settle (ratings, points, redemptions, no-shows, reminders), no
INSERT, UPDATE or DELETE reaches the database while a GET request is handled.

``tests/test_authorization_matrix.py`` checks the same over every GET endpoint of the API,
called by every kind of user."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from api.accounts.services import register_volunteer
from api.extensions import db
from api.help import submitting as help_submitting
from api.help.models import HelpRequest
from api.hours.models import RecordStatus, ServiceRecord
from api.points import merchants, redemptions
from api.points.models import Redemption
from api.signups.services import sign_up
from api.timeutil import utcnow


@pytest.fixture
def everything_due(create_user, create_activity, corpus_units):
    """Data with every kind of change that comes due with time, none of it settled."""
    admin = create_user("root", roles=[("admin", None)])
    volunteer = create_user()
    register_volunteer(
        volunteer, real_name="王小红", phone="13700001234", unit_id=corpus_units["LY-JL"].id
    )
    soon = create_activity(starts_at=utcnow().replace(microsecond=0) + timedelta(hours=20))
    sign_up(volunteer, soon.id)  # its 24 h reminder is due
    over = create_activity(starts_at=utcnow().replace(microsecond=0) + timedelta(hours=1))
    sign_up(volunteer, over.id)
    db.session.execute(
        update(type(over))
        .where(type(over).id == over.id)
        .values(
            starts_at=utcnow() - timedelta(days=2),
            ends_at=utcnow() - timedelta(days=2) + timedelta(hours=2),
        )
    )  # over, never checked in: a no-show is due
    db.session.add(
        ServiceRecord(
            user_id=volunteer.id,
            unit_id=corpus_units["LY-JL"].id,
            credited_minutes=300,
            source="checkin",
            status=RecordStatus.APPROVED,
            category="卫生环保",
            reviewed_at=utcnow(),
            served_at=utcnow() - timedelta(hours=3),
        )
    )
    db.session.commit()
    merchant = merchants.create_merchant(
        admin,
        {
            "name": "巨陵镇爱心超市",
            "unit_id": corpus_units["LY-JL"].id,
            "admin_id": admin.id,
            "address": "巨陵大街 18 号",
            "phone": "0395-8866001",
        },
    )
    reward = merchants.create_reward(
        admin, merchant.id, {"name": "洗衣液", "points_cost": 30, "stock": 2}
    )
    redemption = redemptions.redeem(volunteer, reward.id)
    db.session.execute(
        update(Redemption)
        .where(Redemption.id == redemption.id)
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )  # refund due
    values = {
        "category": "卫生环保",
        "description": "排水沟堵塞，需要志愿者帮忙清理",
        "address": "临颍县巨陵镇油坊陈村3组12号",
        "contact_name": "张大爷",
        "phone": "13812345678",
        "preferred_time": "周六上午",
        "unit_id": corpus_units["LY-JL-YFC"].id,
    }
    waiting = help_submitting.enter_hotline(admin, values)
    done = help_submitting.enter_hotline(admin, values)
    db.session.execute(
        update(HelpRequest)
        .where(HelpRequest.id == waiting.id)
        .values(created_at=utcnow() - timedelta(days=3), updated_at=utcnow() - timedelta(days=3))
    )  # escalation due
    db.session.execute(
        update(HelpRequest)
        .where(HelpRequest.id == done.id)
        .values(status="completed", completed_at=utcnow() - timedelta(days=8))
    )  # rating due
    db.session.commit()
    return {
        "admin": admin,
        "volunteer": volunteer,
        "activity": soon,
        "merchant": merchant,
        "reward": reward,
        "redemption": redemption,
        "help": done,
    }


def test_get_requests_never_write(
    client, auth_headers, everything_due, writes_during_get, corpus_units
):
    data = everything_due
    volunteer, admin = auth_headers(data["volunteer"]), auth_headers(data["admin"])
    unit = corpus_units["LY-JL"].id
    pages = [
        (None, "/api/v1/units"),
        (None, f"/api/v1/units/{unit}"),
        (None, "/api/v1/teams"),
        (None, "/api/v1/activities"),
        (None, f"/api/v1/activities/{data['activity'].id}"),
        (None, "/api/v1/activities.ics"),
        (None, "/api/v1/articles"),
        (None, "/api/v1/search?q=义诊"),
        (None, "/api/v1/stats"),
        (None, "/api/v1/help-requests/board"),
        (None, "/api/v1/merchants"),
        (None, "/api/v1/rewards"),
        (None, f"/api/v1/hours/honor-roll?unit_id={unit}"),
        (None, "/healthz"),
        (volunteer, "/api/v1/me"),
        (volunteer, "/api/v1/me/signups"),
        (volunteer, "/api/v1/me/hours"),
        (volunteer, "/api/v1/me/points"),
        (volunteer, "/api/v1/me/redemptions"),
        (volunteer, f"/api/v1/me/redemptions/{data['redemption'].id}"),
        (volunteer, "/api/v1/me/inbox"),
        (volunteer, "/api/v1/me/notifications"),
        (volunteer, "/api/v1/me/help-requests"),
        (admin, "/api/v1/help-requests"),
        (admin, "/api/v1/help-requests?status=rated"),
        (admin, f"/api/v1/help-requests/{data['help'].id}"),
        (admin, f"/api/v1/activities/{data['activity'].id}/roster"),
        (admin, f"/api/v1/merchants/{data['merchant'].id}/redemptions"),
        (admin, "/api/v1/hours/records"),
        (admin, f"/api/v1/hours/reports/summary?unit_id={unit}"),
    ]
    for headers, path in pages:
        response = client.get(path, headers=headers or {})
        assert response.status_code < 400, (path, response.get_json())

    assert writes_during_get == []
    settled = client.get(f"/api/v1/help-requests/{data['help'].id}", headers=admin).get_json()
    assert (settled["status"], settled["rating"]) == ("rated", 5)
    assert client.get("/api/v1/me/points", headers=volunteer).get_json()["balance"] == 50


def test_the_listener_sees_a_write_in_a_get(make_app, request):
    """The check itself: a GET that writes is caught."""
    app = make_app(own=True)  # a route of its own
    client = app.test_client()
    writes_during_get = request.getfixturevalue("writes_during_get")

    @app.get("/test-writes")
    def writes():
        db.session.execute(update(HelpRequest).values(rating=1))
        db.session.commit()
        return {}

    client.get("/test-writes")

    assert [path for path, _ in writes_during_get] == ["/test-writes?"]
