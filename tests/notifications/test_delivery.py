"""Delivering the outbox to WeChat (the stub, over HTTP): grants, preferences, retries,
43101, truncation, the shared token."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from api.extensions import db
from api.notifications import services
from api.notifications.models import Notification
from api.timeutil import utcnow

LONG_TITLE = "临颍县巨陵镇新时代文明实践所“我们的节日·重阳”敬老爱老志愿服务暨健康义诊进乡村活动"
LONG_ADDRESS = "河南省漯河市临颍县巨陵镇人民政府东侧综合文化站二楼多功能厅"


@pytest.fixture
def notify(create_activity):
    """Factory: one outbox row for ``user`` about a new activity, committed."""

    def write(user, kind: str = "signup_confirmed", **activity_values) -> Notification:
        activity = create_activity(**activity_values)
        services.notify(
            [user.id], kind, f"报名成功：{activity.title}", payload={"activity_id": activity.id}
        )
        db.session.commit()
        return activity

    return write


def _only(notifications, **filters) -> Notification:
    rows = notifications(**filters)
    assert len(rows) == 1, rows
    return rows[0]


def test_granted_notification_is_sent_once_with_its_template(
    create_user, subscribe, notify, notifications, run_worker, stub, templates
):
    user = create_user()
    subscribe(user, "signup_confirmed")
    activity = notify(user)

    report = run_worker()
    run_worker()

    assert report.sent == 1
    [message] = stub.messages
    assert message["touser"] == user.openid
    assert message["template_id"] == templates["signup_confirmed"]
    assert message["page"] == f"pages/activity/detail?id={activity.id}"
    assert message["data"]["thing1"] == activity.title
    assert message["data"]["phrase4"] == "报名成功"
    row = _only(notifications)
    assert (row.status, row.attempts, row.template_id) == ("sent", 1, templates["signup_confirmed"])
    assert row.sent_at is not None


def test_long_title_and_address_are_cut_so_wechat_accepts_them(
    create_user, subscribe, notify, notifications, run_worker, stub
):
    user = create_user()
    subscribe(user, "signup_confirmed")
    notify(user, title=LONG_TITLE, address=LONG_ADDRESS)

    run_worker()

    assert _only(notifications).status == "sent"
    data = stub.messages[0]["data"]
    assert data["thing1"] == LONG_TITLE[:19] + "…"
    assert len(data["thing3"]) == 20
    assert stub.calls_to("subscribe_send")[0]["data"]["thing1"]["value"] == data["thing1"]


def test_time_is_sent_in_local_time_as_wechat_writes_it(
    create_user, subscribe, notify, run_worker, stub
):
    from datetime import UTC, datetime

    user = create_user()
    subscribe(user, "signup_confirmed")
    starts_at = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # 15:00 in Asia/Shanghai
    notify(user, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2))

    run_worker()

    assert stub.messages[0]["data"]["time2"] == "2026年12月1日 15:00"


def test_each_accept_allows_exactly_one_send(
    create_user, subscribe, notify, notifications, run_worker, stub, remaining_grants
):
    user = create_user()
    subscribe(user, "signup_confirmed")
    notify(user)
    notify(user)

    run_worker()

    assert [row.status for row in notifications()] == ["sent", "skipped"]
    assert notifications()[1].last_error == "no_grant"
    assert len(stub.messages) == 1
    assert remaining_grants(user, "signup_confirmed") == 0


def test_nothing_is_sent_without_a_grant(create_user, notify, notifications, run_worker, stub):
    user = create_user()
    notify(user)

    run_worker()

    row = _only(notifications)
    assert (row.status, row.last_error) == ("skipped", "no_grant")
    assert stub.calls_to("subscribe_send") == []


def test_nothing_is_sent_for_a_kind_turned_off(
    client,
    auth_headers,
    create_user,
    subscribe,
    notify,
    notifications,
    run_worker,
    stub,
    remaining_grants,
):
    user = create_user()
    subscribe(user, "signup_confirmed")
    client.put(
        "/api/v1/me/notifications",
        headers=auth_headers(user),
        json={"kinds": [{"kind": "signup_confirmed", "enabled": False}]},
    )
    notify(user)

    run_worker()

    row = _only(notifications)
    assert (row.status, row.last_error) == ("skipped", "kind_disabled")
    assert stub.calls_to("subscribe_send") == []
    assert remaining_grants(user, "signup_confirmed") == 1  # kept for a kind still wanted


def test_a_kind_turned_off_leaves_the_others_on(
    client, auth_headers, create_user, subscribe, notify, notifications, run_worker, stub
):
    user = create_user()
    subscribe(user, "activity_changed")
    client.put(
        "/api/v1/me/notifications",
        headers=auth_headers(user),
        json={"kinds": [{"kind": "signup_confirmed", "enabled": False}]},
    )
    notify(user, kind="activity_changed")

    run_worker()

    assert _only(notifications).status == "sent"


def test_user_without_wechat_is_skipped(create_user, notify, notifications, run_worker):
    staff = create_user("clerk", password="long-enough-password")
    notify(staff)

    run_worker()

    assert _only(notifications).last_error == "no_openid"


def test_kind_without_a_template_stays_in_the_inbox_only(
    app, create_user, subscribe, notify, notifications, run_worker, stub
):
    user = create_user()
    subscribe(user, "signup_confirmed")
    app.config["NOTIFICATION_TEMPLATES"] = {
        kind: template
        for kind, template in app.config["NOTIFICATION_TEMPLATES"].items()
        if kind != "signup_confirmed"
    }
    notify(user)

    run_worker()

    assert _only(notifications).last_error == "no_template"
    assert stub.calls_to("subscribe_send") == []


# -- WeChat's answers ------------------------------------------------------------------------


def test_43101_is_not_retried_the_grant_is_marked_used_and_the_inbox_shows_it(
    client,
    auth_headers,
    create_user,
    subscribe,
    notify,
    notifications,
    run_worker,
    stub,
    remaining_grants,
    later,
):
    user = create_user()
    subscribe(user, "signup_confirmed", times=3)
    notify(user)
    stub.fail_next("subscribe_send", errcode=43101)

    run_worker()
    run_worker(now=later(24 * 60))

    row = _only(notifications)
    assert (row.status, row.errcode, row.last_error) == ("skipped", 43101, "no_grant")
    assert len(stub.calls_to("subscribe_send")) == 1
    assert remaining_grants(user, "signup_confirmed") == 0  # WeChat knows better than our count
    inbox = client.get("/api/v1/me/inbox", headers=auth_headers(user)).get_json()
    assert [(item["id"], item["delivery"]) for item in inbox["data"]] == [(row.id, "skipped")]


def test_server_errors_are_retried_then_the_message_is_sent(
    create_user, subscribe, notify, notifications, run_worker, stub
):
    user = create_user()
    subscribe(user, "signup_confirmed")
    notify(user)
    stub.fail_next("subscribe_send", status=500, times=2)

    report = run_worker()

    assert report.sent == 1
    assert len(stub.calls_to("subscribe_send")) == 3
    assert len(stub.messages) == 1
    assert _only(notifications).status == "sent"


def test_outage_is_retried_later_with_backoff_until_it_succeeds(
    create_user, subscribe, notify, notifications, run_worker, stub, later
):
    user = create_user()
    subscribe(user, "signup_confirmed")
    notify(user)
    stub.fail_next("subscribe_send", status=503, times=3)  # one whole attempt

    first = run_worker()
    row = _only(notifications)
    assert first.retrying == 1
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "wechat_unavailable")
    assert row.next_attempt_at > utcnow()

    assert run_worker().sent == 0  # not due yet
    second = run_worker(now=later(2))

    assert second.sent == 1
    assert _only(notifications).status == "sent"
    assert len(stub.messages) == 1


def test_outage_beyond_the_attempt_limit_stays_visible_as_failed(
    app, create_user, subscribe, notify, notifications, run_worker, stub, remaining_grants, later
):
    user = create_user()
    subscribe(user, "signup_confirmed")
    notify(user)
    stub.fail_next("subscribe_send", status=503, times=100)
    limit = app.config["NOTIFICATION_MAX_ATTEMPTS"]

    for hours in range(limit + 2):
        run_worker(now=later(hours * 60))

    row = _only(notifications)
    assert (row.status, row.attempts, row.last_error) == ("failed", limit, "wechat_unavailable")
    assert remaining_grants(user, "signup_confirmed") == 1  # WeChat never took it
    assert stub.messages == []


def test_busy_wechat_is_tried_again_later(
    create_user, subscribe, notify, notifications, run_worker, stub
):
    user = create_user()
    subscribe(user, "signup_confirmed")
    notify(user)
    stub.fail_next("subscribe_send", errcode=45011, times=1)

    run_worker()

    row = _only(notifications)
    assert (row.status, row.errcode, row.last_error) == ("pending", 45011, "wechat_busy")


def test_refused_message_fails_at_once_and_gives_the_grant_back(
    create_user, subscribe, notify, notifications, run_worker, stub, remaining_grants, later
):
    user = create_user()
    subscribe(user, "signup_confirmed")
    notify(user)
    stub.fail_next("subscribe_send", errcode=47003)

    run_worker()
    run_worker(now=later(24 * 60))

    row = _only(notifications)
    assert (row.status, row.errcode, row.last_error) == ("failed", 47003, "wechat_refused")
    assert len(stub.calls_to("subscribe_send")) == 1
    assert remaining_grants(user, "signup_confirmed") == 1


def test_a_send_that_timed_out_is_never_sent_again(
    app, create_user, subscribe, notify, notifications, run_worker, stub, later
):
    app.config["WECHAT_TIMEOUT"] = 0.3
    user = create_user()
    subscribe(user, "signup_confirmed")
    notify(user)
    stub.fail_next("subscribe_send", delay=1.0)

    run_worker()
    run_worker(now=later(24 * 60))

    row = _only(notifications)
    assert (row.status, row.last_error) == ("failed", "delivery_unknown")
    assert len(stub.calls_to("subscribe_send")) == 1


def _die_holding_the_claim(**values) -> None:
    """A worker claimed the outbox (lease of 5 minutes) and died before finishing."""
    db.session.execute(
        update(Notification).values(
            status="sending",
            claim_token="dead" * 8,
            claimed_at=utcnow(),
            claimed_until=utcnow() + timedelta(minutes=5),
            **values,
        )
    )
    db.session.commit()


def test_claim_of_a_dead_worker_before_its_send_is_delivered_after_the_lease(
    create_user, subscribe, notify, notifications, run_worker, stub, later
):
    user = create_user()
    subscribe(user, "signup_confirmed")
    notify(user)
    _die_holding_the_claim()

    assert run_worker().sent == 0  # the lease still holds
    report = run_worker(now=later(6))

    assert (report.reclaimed, report.sent) == (1, 1)
    assert _only(notifications).status == "sent"
    assert len(stub.calls_to("subscribe_send")) == 1


def test_claim_of_a_dead_worker_during_its_send_is_failed_not_resent(
    create_user, subscribe, notify, notifications, run_worker, stub, later
):
    user = create_user()
    subscribe(user, "signup_confirmed")
    notify(user)
    _die_holding_the_claim(attempt_started_at=utcnow(), attempts=1)

    report = run_worker(now=later(6))

    assert (report.interrupted, report.sent) == (1, 0)
    assert (_only(notifications).status, _only(notifications).last_error) == (
        "failed",
        "interrupted",
    )
    assert stub.calls_to("subscribe_send") == []


# -- the access token ------------------------------------------------------------------------


def test_one_token_fetch_serves_every_send(create_user, subscribe, notify, run_worker, stub):
    users = [create_user() for _ in range(5)]
    for user in users:
        subscribe(user, "signup_confirmed")
        notify(user)

    run_worker()
    notify(users[0])  # no grant left: skipped, but the point is the token
    subscribe(users[1], "signup_confirmed")
    notify(users[1])
    run_worker()

    assert len(stub.messages) == 6
    assert len(stub.calls_to("stable_token")) == 1


def test_40001_forces_one_refresh_then_the_send_succeeds(
    create_user, subscribe, notify, notifications, run_worker, stub
):
    user = create_user()
    subscribe(user, "signup_confirmed", times=2)
    notify(user)
    run_worker()
    stub.revoke_tokens()
    notify(user)

    run_worker()

    assert [row.status for row in notifications()] == ["sent", "sent"]
    assert len(stub.calls_to("stable_token")) == 2
    assert len(stub.calls_to("subscribe_send")) == 3  # the rejected one, then the resend
    assert len(stub.messages) == 2


def test_hours_message_reads_minutes_and_activity_from_the_service_record(
    create_user, create_activity, corpus_units, subscribe, run_worker, stub, templates
):
    from api.hours.models import ServiceRecord

    user = create_user()
    subscribe(user, "hours_approved")
    activity = create_activity(title="重阳节敬老院包饺子")
    record = ServiceRecord(
        user_id=user.id,
        activity_id=activity.id,
        unit_id=corpus_units["LY-JL"].id,
        credited_minutes=150,
        source="checkin",
        status="approved",
    )
    db.session.add(record)
    db.session.flush()
    services.notify(
        [user.id],
        "hours_approved",
        "服务时长已审核通过",
        "服务时长 2 小时 30 分钟",
        {"service_record_id": record.id},
    )
    db.session.commit()

    run_worker()

    [message] = stub.messages
    assert message["template_id"] == templates["hours_approved"]
    assert message["data"] == {
        "thing1": "重阳节敬老院包饺子",
        "number2": "2.5",
        "phrase3": "已通过",
        "name4": user.nickname,
        "thing5": "服务时长 2 小时 30 分钟",
    }
