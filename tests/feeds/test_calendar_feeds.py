"""Calendar feeds: they parse with ``icalendar``, hold the right events at local times, and
the personal one is opened by its secret token alone."""

from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit

import icalendar
import pytest
from sqlalchemy import select

from api.accounts.models import User
from api.extensions import db
from api.timeutil import LOCAL_TZ, to_local, utcnow


@pytest.fixture(autouse=True)
def _noon_on_a_fixed_day(frozen_clock):
    """Which events are coming or past never depends on the day the suite runs."""
    frozen_clock(datetime(2027, 3, 10, 4, 0, tzinfo=UTC))  # 12:00 local


def _local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A UTC moment at ``hour:minute`` local time, ``day_offset`` days from today."""
    day = to_local(utcnow()).date() + timedelta(days=day_offset)
    return datetime.combine(day, time(hour, minute), LOCAL_TZ).astimezone(UTC)


def _events(response) -> list[icalendar.Event]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.data)
    return list(calendar.walk("VEVENT"))


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.fixture
def organizer_headers(create_user, auth_headers, corpus_units):
    return auth_headers(create_user("jl-admin", roles=[("unit_admin", "LY-JL")]))


def test_unit_feed_holds_the_published_activities_of_the_subtree(
    client, create_activity, corpus_units
):
    at_institute = create_activity(
        title="义诊进乡村", starts_at=_local(1, 15), ends_at=_local(1, 17)
    )
    at_station = create_activity(
        title="村史讲堂",
        unit_id=corpus_units["LY-JL-YFC"].id,
        starts_at=_local(-3, 9),
        ends_at=_local(-3, 11),
    )
    create_activity(title="草稿活动", status="draft")
    create_activity(title="已取消活动", status="cancelled")
    create_activity(title="很久以前", starts_at=_local(-40, 9), ends_at=_local(-40, 10))
    create_activity(title="别的镇", unit_id=corpus_units["LY-CG"].id)

    events = _events(client.get(f"/api/v1/activities.ics?unit_id={corpus_units['LY-JL'].id}"))

    assert [str(event["SUMMARY"]) for event in events] == ["村史讲堂", "义诊进乡村"]
    assert [str(event["UID"]) for event in events] == [
        f"activity-{at_station.id}@civpractice",
        f"activity-{at_institute.id}@civpractice",
    ]


def test_unit_feed_keeps_local_times_in_tzid_asia_shanghai(client, create_activity, corpus_units):
    create_activity(
        title="广场舞展演",
        address="巨陵镇文化广场",
        starts_at=_local(2, 15),
        ends_at=_local(2, 17, 30),
    )

    response = client.get(f"/api/v1/activities.ics?unit_id={corpus_units['LY-JL'].id}")

    event = _events(response)[0]
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert event["DTEND"].params["TZID"] == "Asia/Shanghai"
    starts, ends = event.decoded("DTSTART"), event.decoded("DTEND")
    assert (starts.hour, starts.minute, ends.hour, ends.minute) == (15, 0, 17, 30)
    assert starts.utcoffset() == timedelta(hours=8)
    assert str(event["LOCATION"]) == "巨陵镇文化广场"
    assert "免费测量血压" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    text = response.get_data(as_text=True)
    assert "DTSTART;TZID=Asia/Shanghai:" in text and "T150000" in text
    assert "BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\n" in text
    assert "\r\nVERSION:2.0\r\n" in text and "\r\nPRODID:" in text
    assert "\r\nX-PUBLISHED-TTL:PT1H\r\n" in text


def test_a_late_evening_activity_stays_on_its_local_day(client, create_activity, corpus_units):
    new_years_eve = 2027
    starts_at = datetime(new_years_eve, 12, 31, 23, 30, tzinfo=LOCAL_TZ).astimezone(UTC)
    create_activity(starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))

    event = _events(client.get("/api/v1/activities.ics"))[0]

    starts = event.decoded("DTSTART")
    assert (starts.year, starts.month, starts.day, starts.hour) == (new_years_eve, 12, 31, 23)


def test_county_feed_without_unit_covers_every_unit(client, create_activity, corpus_units):
    create_activity(unit_id=corpus_units["LY-JL"].id)
    create_activity(unit_id=corpus_units["LY-CG-NJ"].id)

    assert len(_events(client.get("/api/v1/activities.ics"))) == 2


def test_unit_feed_of_an_unknown_unit_is_404(client, corpus_units):
    response = client.get("/api/v1/activities.ics?unit_id=999999")
    assert response.status_code == 404
    assert response.get_json()["error"] == "unit_not_found"


def test_uids_are_stable_between_downloads(client, create_activity):
    create_activity()
    create_activity(starts_at=_local(3, 9))

    first = [str(event["UID"]) for event in _events(client.get("/api/v1/activities.ics"))]
    second = [str(event["UID"]) for event in _events(client.get("/api/v1/activities.ics"))]

    assert first == second and len(set(first)) == 2


def _stored_token(user: User) -> str | None:
    return db.session.scalar(select(User.calendar_token).where(User.id == user.id))


def test_reading_my_feed_before_creating_it_answers_not_created(client, create_user, auth_headers):
    user = create_user()

    response = client.get("/api/v1/me/calendar-feed", headers=auth_headers(user))

    assert response.status_code == 404
    assert response.get_json()["error"] == "calendar_feed_not_created"
    assert _stored_token(user) is None


def test_personal_feed_url_is_created_once(client, create_user, auth_headers):
    headers = auth_headers(create_user())

    first = client.post("/api/v1/me/calendar-feed", headers=headers)
    again = client.post("/api/v1/me/calendar-feed", headers=headers)

    assert (first.status_code, again.status_code) == (200, 200)
    assert first.get_json() == again.get_json()
    assert "/api/v1/me/calendar.ics?token=" in first.get_json()["url"]
    assert first.get_json()["webcal_url"].startswith("webcal://")
    assert client.get("/api/v1/me/calendar-feed", headers=headers).get_json() == first.get_json()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/me/calendar-feed"),
        ("POST", "/api/v1/me/calendar-feed"),
        ("POST", "/api/v1/me/calendar-feed/reset"),
    ],
)
def test_my_feed_needs_sign_in(client, corpus_units, method, path):
    response = client.open(path, method=method)

    assert response.status_code == 401


def test_resetting_a_feed_i_never_created_answers_not_created(client, create_user, auth_headers):
    user = create_user()

    response = client.post("/api/v1/me/calendar-feed/reset", headers=auth_headers(user))

    assert response.status_code == 404
    assert response.get_json()["error"] == "calendar_feed_not_created"
    assert _stored_token(user) is None


def test_personal_feed_holds_my_active_signups(
    client, create_user, auth_headers, create_activity, organizer_headers
):
    me = auth_headers(create_user())
    someone_else = auth_headers(create_user())
    confirmed = create_activity(
        title="敬老院包饺子", starts_at=_local(1, 15), ends_at=_local(1, 17)
    )
    full = create_activity(
        title="名额已满", capacity=1, starts_at=_local(2, 9), ends_at=_local(2, 10)
    )
    called_off = create_activity(title="露天电影", starts_at=_local(3, 19), ends_at=_local(3, 21))
    withdrawn = create_activity(title="我已退出", starts_at=_local(4, 9), ends_at=_local(4, 10))
    not_mine = create_activity(title="别人的活动", starts_at=_local(5, 9), ends_at=_local(5, 10))
    client.post(f"/api/v1/activities/{full.id}/signups", headers=someone_else)
    for activity in (confirmed, full, called_off, withdrawn):
        client.post(f"/api/v1/activities/{activity.id}/signups", headers=me)
    client.post(f"/api/v1/activities/{not_mine.id}/signups", headers=someone_else)
    client.delete(f"/api/v1/activities/{withdrawn.id}/signups/me", headers=me)
    client.post(
        f"/api/v1/activities/{called_off.id}/cancel",
        json={"reason": "天气原因"},
        headers=organizer_headers,
    )
    feed_url = client.post("/api/v1/me/calendar-feed", headers=me).get_json()["url"]

    events = _events(client.get(_path(feed_url)))  # no Authorization header

    by_title = {str(event["SUMMARY"]): event for event in events}
    assert set(by_title) == {"敬老院包饺子", "名额已满", "【已取消】露天电影"}
    assert str(by_title["敬老院包饺子"]["STATUS"]) == "CONFIRMED"
    assert str(by_title["名额已满"]["STATUS"]) == "TENTATIVE"
    cancelled = by_title["【已取消】露天电影"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert "天气原因" in str(cancelled["DESCRIPTION"])
    assert str(cancelled["UID"]) == f"activity-{called_off.id}@civpractice"
    starts = by_title["敬老院包饺子"].decoded("DTSTART")
    assert by_title["敬老院包饺子"]["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert (starts.hour, starts.minute) == (15, 0)


def test_resetting_the_token_invalidates_the_old_url(
    client, create_user, auth_headers, create_activity
):
    headers = auth_headers(create_user())
    activity = create_activity()
    client.post(f"/api/v1/activities/{activity.id}/signups", headers=headers)
    old_url = client.post("/api/v1/me/calendar-feed", headers=headers).get_json()["url"]

    reset = client.post("/api/v1/me/calendar-feed/reset", headers=headers)

    assert reset.status_code == 200
    new_url = reset.get_json()["url"]
    assert new_url != old_url
    gone = client.get(_path(old_url))
    assert gone.status_code == 404
    assert gone.get_json()["error"] == "calendar_feed_not_found"
    assert len(_events(client.get(_path(new_url)))) == 1
    assert client.get("/api/v1/me/calendar-feed", headers=headers).get_json()["url"] == new_url


def test_personal_feed_needs_a_valid_token(client, corpus_units):
    assert client.get("/api/v1/me/calendar.ics").status_code == 422
    unknown = client.get("/api/v1/me/calendar.ics?token=guessed-token")
    assert unknown.status_code == 404
    assert unknown.get_json()["error"] == "calendar_feed_not_found"
