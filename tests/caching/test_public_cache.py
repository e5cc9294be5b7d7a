"""Anonymous calendar reads come from a response cache that no write can leave stale."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from api.activities.models import Activity
from api.extensions import db

NOW = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)  # 10:00 local
LIST = "/api/v1/activities?start=2026-12-12&end=2026-12-12"


def _confirmed(client, url=LIST, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200
    return response, [item["confirmed_count"] for item in response.get_json()["data"]]


def test_a_sign_up_shows_at_once_and_unchanged_pages_revalidate(
        client, create_activity, create_user, auth_headers, frozen_clock):
    frozen_clock(NOW)
    activity = create_activity(starts_at=NOW + timedelta(days=2))
    first, counts = _confirmed(client)
    assert counts == [0]
    assert "no-cache" in first.headers["Cache-Control"]

    same = client.get(LIST, headers={"If-None-Match": first.headers["ETag"]})
    signed_up = client.post(f"/api/v1/activities/{activity.id}/signups", json={},
                            headers=auth_headers(create_user()))
    after, counts_after = _confirmed(client)
    stale = client.get(LIST, headers={"If-None-Match": first.headers["ETag"]})

    assert same.status_code == 304
    assert signed_up.status_code == 201
    assert counts_after == [1]
    assert after.headers["ETag"] != first.headers["ETag"]
    assert stale.status_code == 200


def test_cached_bytes_are_served_until_the_generation_moves(client, create_activity,
                                                              frozen_clock):
    frozen_clock(NOW)
    activity = create_activity(starts_at=NOW + timedelta(days=2), title="原标题")
    client.get(LIST)
    # A write that bypasses the ORM listeners (raw SQL) is invisible to the cache: the
    # answer is the cached one, which shows that the cache answers.
    db.session.execute(sa.text("UPDATE activities SET title = '绕过' WHERE id = :id"),
                       {"id": activity.id})
    db.session.commit()
    cached = client.get(LIST).get_json()["data"][0]["title"]
    # An ORM UPDATE statement moves the generation.
    db.session.execute(sa.update(Activity).where(Activity.id == activity.id)
                       .values(title="新标题"))
    db.session.commit()
    fresh = client.get(LIST).get_json()["data"][0]["title"]

    assert (cached, fresh) == ("原标题", "新标题")


def test_signed_in_answers_are_never_cached(client, create_activity, create_user,
                                            auth_headers, frozen_clock):
    frozen_clock(NOW)
    activity = create_activity(starts_at=NOW + timedelta(days=2))
    person = create_user()
    url = f"/api/v1/activities/{activity.id}"
    client.get(url)
    client.post(f"{url}/signups", json={}, headers=auth_headers(person))

    mine = client.get(url, headers=auth_headers(person))

    assert mine.get_json()["my_signup"]["status"] == "confirmed"
    assert "ETag" not in mine.headers


def test_sign_up_closing_by_the_clock_shows_without_a_write(client, create_activity,
                                                             frozen_clock):
    frozen_clock(NOW)
    activity = create_activity(starts_at=NOW + timedelta(days=2),
                               signup_closes_at=NOW + timedelta(hours=1))
    url = f"/api/v1/activities/{activity.id}"
    before = client.get(url).get_json()["signup_open"]
    frozen_clock(NOW + timedelta(hours=1, seconds=1))
    after = client.get(url).get_json()["signup_open"]
    listed = client.get(LIST).get_json()["data"][0]["signup_open"]

    assert (before, after, listed) == (True, False, False)


def test_the_default_range_follows_the_local_date(client, create_activity, frozen_clock):
    frozen_clock(datetime(2026, 12, 10, 15, 0, tzinfo=UTC))  # 23:00 local
    create_activity(starts_at=datetime(2026, 12, 10, 15, 30, tzinfo=UTC), title="今晚")
    tonight = [item["title"] for item in client.get("/api/v1/activities").get_json()["data"]]
    frozen_clock(datetime(2026, 12, 10, 16, 10, tzinfo=UTC))  # 00:10 local, the next day
    tomorrow = [item["title"] for item in client.get("/api/v1/activities").get_json()["data"]]

    assert (tonight, tomorrow) == (["今晚"], [])
