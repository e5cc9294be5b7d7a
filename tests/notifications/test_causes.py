"""Notifications written by their causes and delivered by the outbox worker: the sign-up and
waitlist flow through the API, end to end to the stub."""

from api.extensions import db
from api.notifications import services
from api.tasks.queue import task_queue

LONG_TITLE = "“我们的节日·重阳”敬老爱老志愿服务暨健康义诊进乡村活动（巨陵镇站）"


def _sign_up(client, headers, activity):
    response = client.post(f"/api/v1/activities/{activity.id}/signups", headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_promotion_from_the_waitlist_sends_exactly_one_message_to_the_promoted_user(
    client,
    runner,
    create_user,
    auth_headers,
    create_activity,
    subscribe,
    notifications,
    stub,
    templates,
):
    activity = create_activity(capacity=1, title=LONG_TITLE)
    first, second = create_user(), create_user()
    subscribe(second, "waitlist_promoted")
    _sign_up(client, auth_headers(first), activity)
    assert _sign_up(client, auth_headers(second), activity)["status"] == "waitlisted"
    # the confirmation of the first: no grant
    runner.invoke(args=["notifications", "run", "--once"])
    assert stub.messages == []

    cancelled = client.delete(
        f"/api/v1/activities/{activity.id}/signups/me", headers=auth_headers(first)
    )
    result = runner.invoke(args=["notifications", "run", "--once"])

    assert cancelled.status_code == 204
    assert result.exit_code == 0, result.output
    [message] = stub.messages
    assert message["touser"] == second.openid
    assert message["template_id"] == templates["waitlist_promoted"]
    assert message["data"]["thing1"] == LONG_TITLE[:19] + "…"
    assert message["data"]["phrase4"] == "候补转正"
    assert all(len(value) <= 20 for value in message["data"].values())
    [promoted] = notifications("waitlist_promoted")
    assert (promoted.user_id, promoted.status) == (second.id, "sent")
    assert len(stub.calls_to("subscribe_send")) == 1


def test_the_delivery_task_is_woken_after_the_cause_commits(
    app, client, create_user, auth_headers, create_activity
):
    activity = create_activity()
    huey = task_queue.huey(app)
    huey.flush()

    _sign_up(client, auth_headers(create_user()), activity)

    assert [task.name for task in huey.pending()] == ["outbox.deliver"]


def test_nothing_is_woken_when_the_cause_rolls_back(app, create_user):
    user = create_user()
    huey = task_queue.huey(app)
    huey.flush()

    services.notify([user.id], "signup_confirmed", "报名成功：义诊")
    db.session.rollback()
    db.session.commit()

    assert huey.pending() == []


def test_cancelled_activity_is_delivered_to_everyone_granted(
    client, runner, create_user, auth_headers, create_activity, corpus_units, subscribe, stub
):
    activity = create_activity()
    people = [create_user() for _ in range(3)]
    for person in people:
        _sign_up(client, auth_headers(person), activity)
    for person in people[:2]:
        subscribe(person, "activity_cancelled")
    organizer = create_user("organizer", roles=[("unit_admin", "LY-JL")])

    response = client.post(
        f"/api/v1/activities/{activity.id}/cancel",
        headers=auth_headers(organizer),
        json={"reason": "天气原因，活动取消"},
    )
    runner.invoke(args=["notifications", "run", "--once"])

    assert response.status_code == 200, response.get_json()
    cancelled = [message for message in stub.messages if message["data"]["phrase4"] == "已取消"]
    assert sorted(message["touser"] for message in cancelled) == sorted(
        person.openid for person in people[:2]
    )
    assert cancelled[0]["data"]["thing3"] == "天气原因，活动取消"
