"""``GET /api/v1/me/inbox``: every notification, delivered to WeChat or not, paginated."""

from sqlalchemy import update

from api.extensions import db
from api.notifications import services
from api.notifications.models import Notification


def _write(user, count: int, kind: str = "signup_confirmed", activity=None) -> None:
    for number in range(count):
        services.notify(
            [user.id],
            kind,
            f"通知{number}",
            "正文",
            {"activity_id": activity.id} if activity else {},
        )
    db.session.commit()


def test_inbox_shows_my_notifications_newest_first_with_their_delivery(
    client, create_user, auth_headers, create_activity
):
    me = create_user()
    activity = create_activity()
    _write(me, 3, activity=activity)
    db.session.execute(
        update(Notification)
        .where(Notification.title == "通知0")
        .values(status="failed", last_error="wechat_refused")
    )
    db.session.commit()

    response = client.get("/api/v1/me/inbox", headers=auth_headers(me))

    assert response.status_code == 200
    body = response.get_json()
    assert body["pagination"] == {"page": 1, "per_page": 20, "total": 3}
    assert [item["title"] for item in body["data"]] == ["通知2", "通知1", "通知0"]
    oldest = body["data"][-1]
    assert set(oldest) == {
        "id",
        "kind",
        "label",
        "title",
        "body",
        "activity_id",
        "payload",
        "created_at",
        "delivery",
        "delivery_reason",
        "delivered_at",
    }
    assert (oldest["kind"], oldest["label"], oldest["activity_id"]) == (
        "signup_confirmed",
        "报名成功通知",
        activity.id,
    )
    assert (oldest["delivery"], oldest["delivery_reason"], oldest["delivered_at"]) == (
        "failed",
        "wechat_refused",
        None,
    )
    assert oldest["created_at"].endswith("+08:00")


def test_inbox_never_shows_other_peoples_notifications(client, create_user, auth_headers):
    me, neighbour = create_user(), create_user()
    _write(neighbour, 2)
    _write(me, 1)

    body = client.get("/api/v1/me/inbox", headers=auth_headers(me)).get_json()

    assert [item["title"] for item in body["data"]] == ["通知0"]
    assert body["pagination"]["total"] == 1


def test_inbox_is_paginated(client, create_user, auth_headers):
    me = create_user()
    _write(me, 5)

    body = client.get("/api/v1/me/inbox?page=2&per_page=2", headers=auth_headers(me)).get_json()

    assert [item["title"] for item in body["data"]] == ["通知2", "通知1"]
    assert body["pagination"] == {"page": 2, "per_page": 2, "total": 5}


def test_inbox_filters_by_kind(client, create_user, auth_headers):
    me = create_user()
    _write(me, 2)
    _write(me, 1, kind="activity_cancelled")

    body = client.get(
        "/api/v1/me/inbox?kind=activity_cancelled", headers=auth_headers(me)
    ).get_json()

    assert [item["kind"] for item in body["data"]] == ["activity_cancelled"]


def test_unknown_kind_filter_is_422(client, create_user, auth_headers):
    response = client.get("/api/v1/me/inbox?kind=spam", headers=auth_headers(create_user()))

    assert response.status_code == 422


def test_skipped_notification_still_shows(client, create_user, auth_headers, run_worker):
    me = create_user()
    _write(me, 1)

    run_worker()  # no grant: skipped

    [item] = client.get("/api/v1/me/inbox", headers=auth_headers(me)).get_json()["data"]
    assert (item["delivery"], item["delivery_reason"]) == ("skipped", "no_grant")


def test_long_titles_are_kept_within_the_column(client, create_user, auth_headers):
    me = create_user()
    services.notify([me.id], "activity_changed", "活动变更：" + "长" * 200, "变" * 900)
    db.session.commit()

    [item] = client.get("/api/v1/me/inbox", headers=auth_headers(me)).get_json()["data"]

    assert (len(item["title"]), len(item["body"])) == (120, 500)
