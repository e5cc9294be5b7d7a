"""The iCalendar writer: TEXT escaping and line folding read back by ``icalendar``."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import icalendar
import pytest

from api.feeds.ics import FeedEntry, escape_text, fold, render_calendar


@pytest.mark.parametrize(
    "line",
    [
        "SUMMARY:short",
        "DESCRIPTION:" + "免费测量血压、血糖" * 20,
        "DESCRIPTION:" + "a" * 200,
        "DESCRIPTION:" + "é😀中a" * 40,
    ],
)
def test_folded_lines_stay_within_75_octets_and_unfold_to_the_original(line):
    folded = fold(line)

    assert all(len(part.encode("utf-8")) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_text_escaping_drops_control_characters():
    assert escape_text("a,b;c\\d\r\ne\x00f\tg") == "a\\,b\\;c\\\\d\\nef\tg"


def test_tricky_text_survives_a_round_trip_through_icalendar():
    now = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
    title = "讲座：家风家训, 代代相传; 路径 C:\\活动"
    description = "第一行\n第二行，含逗号, 分号; 反斜杠 \\ 和很长的文字" + "长" * 100
    activity = SimpleNamespace(
        id=7,
        title=title,
        description=description,
        unit=SimpleNamespace(name="巨陵镇实践所"),
        team=None,
        theme="history",
        category="理论宣讲",
        risk_notice="",
        updated_at=now,
        created_at=now,
        starts_at=now,
        ends_at=now + timedelta(hours=2),
        address="巨陵镇, 礼堂",
        lat=None,
        lng=None,
    )

    calendar = icalendar.Calendar.from_ical(render_calendar("测试", [FeedEntry(activity)]))

    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["SUMMARY"]) == title
    assert str(event["LOCATION"]) == "巨陵镇, 礼堂"
    assert str(event["DESCRIPTION"]).startswith(description + "\n主办：巨陵镇实践所")
    assert event.decoded("DTSTART") == now
    assert event.decoded("DTSTAMP") == now
    assert "GEO" not in event
