"""``upcoming``: the calendar's "本月接下来的活动" leaves out what ended earlier today."""

from datetime import UTC, datetime, timedelta

NOW = datetime(2026, 6, 10, 6, 0, tzinfo=UTC)  # 14:00 in China


def test_upcoming_leaves_out_activities_already_ended_today(client, frozen_clock, create_activity):
    frozen_clock(NOW)
    create_activity(
        title="上午的讲座", starts_at=NOW - timedelta(hours=5), ends_at=NOW - timedelta(hours=3)
    )
    create_activity(
        title="正在进行的义诊", starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(hours=1)
    )
    create_activity(title="晚上的演出", starts_at=NOW + timedelta(hours=4))
    query = {"start": "2026-06-10", "end": "2026-06-30"}

    everything = client.get("/api/v1/activities", query_string=query).get_json()
    upcoming = client.get(
        "/api/v1/activities", query_string={**query, "upcoming": "true"}
    ).get_json()

    assert [item["title"] for item in everything["data"]] == [
        "上午的讲座",
        "正在进行的义诊",
        "晚上的演出",
    ]
    assert [item["title"] for item in upcoming["data"]] == ["正在进行的义诊", "晚上的演出"]
    assert upcoming["pagination"]["total"] == 2
