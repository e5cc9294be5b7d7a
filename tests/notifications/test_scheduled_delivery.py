"""The periodic task ``outbox.deliver`` at chosen app clocks: the 24 h and the 2 h reminder
of an activity, each sent once however often the task runs, and a retry that comes due."""

from datetime import UTC, datetime, timedelta

from api.extensions import db
from api.notifications import services
from api.signups.services import sign_up
from api.tasks.queue import task_queue
from api.tasks.schedule import deliver_outbox

STARTS = datetime(2026, 9, 20, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


def test_reminders_24h_and_2h_before_the_start_each_once(
    app, frozen_clock, create_user, create_activity, subscribe, notifications, stub
):
    frozen_clock(STARTS - timedelta(days=3))
    user = create_user()
    activity = create_activity(starts_at=STARTS)
    sign_up(user, activity.id)
    subscribe(user, "activity_reminder", times=2)
    deliver_outbox()  # the sign-up's own confirmation (no grant for it: skipped)

    frozen_clock(STARTS - timedelta(hours=24, minutes=1))
    assert deliver_outbox() == {}
    frozen_clock(STARTS - timedelta(hours=24))
    assert deliver_outbox() == {"reminders": 1, "sent": 1}
    assert deliver_outbox() == {}
    frozen_clock(STARTS - timedelta(hours=2))
    task_queue.huey(app).immediate = True  # this one through huey
    task_queue.enqueue("outbox.deliver", app)
    assert deliver_outbox() == {}

    reminders = notifications("activity_reminder")
    assert [(row.payload["minutes_before"], row.status) for row in reminders] == [
        (1440, "sent"),
        (120, "sent"),
    ]
    assert (
        len([message for message in stub.messages if message["data"]["thing1"] == activity.title])
        == 2
    )


def test_a_failed_send_is_retried_when_its_time_comes(
    frozen_clock, create_user, subscribe, notifications, stub
):
    frozen_clock(STARTS)
    user = create_user()
    subscribe(user, "signup_confirmed")
    services.notify([user.id], "signup_confirmed", "报名成功：义诊")
    db.session.commit()
    stub.fail_next("subscribe_send", status=503, times=3)  # the client's own retries too

    assert deliver_outbox() == {"retrying": 1}
    frozen_clock(STARTS + timedelta(seconds=59))
    assert deliver_outbox() == {}
    frozen_clock(STARTS + timedelta(seconds=60))  # NOTIFICATION_RETRY_SECONDS

    assert deliver_outbox() == {"sent": 1}
    assert [row.status for row in notifications()] == ["sent"]
    assert len(stub.messages) == 1
