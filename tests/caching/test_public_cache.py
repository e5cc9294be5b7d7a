"""Anonymous calendar reads come from a response cache that no write can leave stale."""

import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis
import sqlalchemy as sa

from api.activities.models import Activity
from api.activities.schemas import ActivityQuerySchema
from api.caching import generations as generation_store
from api.caching.models import CacheGeneration
from api.extensions import db

NOW = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)  # 10:00 local
LIST = "/api/v1/activities?start=2026-12-12&end=2026-12-12"
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["database", "redis"])
def generations(request, make_app):
    """Where the generations live: the database (no REDIS_URL) or Redis (a namespace of the
    test's own on 127.0.0.1:6379)."""
    if request.param == "database":
        make_app(REDIS_URL="")
        yield "database"
        return
    namespace = f"test-cache-{uuid.uuid4().hex}"
    make_app(REDIS_URL=REDIS_URL, RATELIMIT_KEY_NAMESPACE=namespace)
    yield "redis"
    server = redis.Redis.from_url(REDIS_URL)
    keys = server.keys(f"{namespace}:*")
    if keys:
        server.delete(*keys)


def _confirmed(client, url=LIST, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200
    return response, [item["confirmed_count"] for item in response.get_json()["data"]]


def test_a_sign_up_shows_at_once_and_unchanged_pages_revalidate(
    generations, client, create_activity, create_user, auth_headers, frozen_clock
):
    frozen_clock(NOW)
    activity = create_activity(starts_at=NOW + timedelta(days=2))
    first, counts = _confirmed(client)
    assert counts == [0]
    assert "no-cache" in first.headers["Cache-Control"]

    same = client.get(LIST, headers={"If-None-Match": first.headers["ETag"]})
    signed_up = client.post(
        f"/api/v1/activities/{activity.id}/signups", json={}, headers=auth_headers(create_user())
    )
    after, counts_after = _confirmed(client)
    stale = client.get(LIST, headers={"If-None-Match": first.headers["ETag"]})

    assert same.status_code == 304
    assert signed_up.status_code == 201
    assert counts_after == [1]
    assert after.headers["ETag"] != first.headers["ETag"]
    assert stale.status_code == 200


def test_cached_bytes_are_served_until_the_generation_moves(
    generations, client, create_activity, frozen_clock
):
    frozen_clock(NOW)
    activity = create_activity(starts_at=NOW + timedelta(days=2), title="原标题")
    client.get(LIST)
    # A write that bypasses the ORM listeners (raw SQL) is invisible to the cache: the
    # answer is the cached one, which shows that the cache answers.
    db.session.execute(
        sa.text("UPDATE activities SET title = '绕过' WHERE id = :id"), {"id": activity.id}
    )
    db.session.commit()
    cached = client.get(LIST).get_json()["data"][0]["title"]
    # An ORM UPDATE statement moves the generation.
    db.session.execute(sa.update(Activity).where(Activity.id == activity.id).values(title="新标题"))
    db.session.commit()
    fresh = client.get(LIST).get_json()["data"][0]["title"]

    assert (cached, fresh) == ("原标题", "新标题")


def test_signed_in_answers_are_never_cached(
    client, create_activity, create_user, auth_headers, frozen_clock
):
    frozen_clock(NOW)
    activity = create_activity(starts_at=NOW + timedelta(days=2))
    person = create_user()
    url = f"/api/v1/activities/{activity.id}"
    client.get(url)
    client.post(f"{url}/signups", json={}, headers=auth_headers(person))

    mine = client.get(url, headers=auth_headers(person))

    assert mine.get_json()["my_signup"]["status"] == "confirmed"
    assert "ETag" not in mine.headers


def test_sign_up_closing_by_the_clock_shows_without_a_write(
    generations, client, create_activity, frozen_clock
):
    frozen_clock(NOW)
    activity = create_activity(
        starts_at=NOW + timedelta(days=2), signup_closes_at=NOW + timedelta(hours=1)
    )
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


def test_a_hit_is_answered_before_the_view_and_its_arguments(
    generations, client, create_activity, frozen_clock, count_queries, monkeypatch
):
    frozen_clock(NOW)
    create_activity(starts_at=NOW + timedelta(days=2))
    first = client.get(LIST)

    def refuse(*args, **kwargs):
        raise AssertionError("a cache hit parsed its arguments")

    monkeypatch.setattr(ActivityQuerySchema, "load", refuse)
    with count_queries() as counted:
        hit = client.get(LIST)
    revalidated = client.get(LIST, headers={"If-None-Match": first.headers["ETag"]})

    assert (hit.status_code, hit.data, hit.headers["ETag"]) == (
        200,
        first.data,
        first.headers["ETag"],
    )
    # Redis: no statement at all; the database: the generation's row.
    assert counted.n == (0 if generations == "redis" else 1)
    assert revalidated.status_code == 304
    for response in (hit, revalidated):  # every after_request hook still ran
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Request-ID"]
        assert "no-cache" in response.headers["Cache-Control"]


def test_invalid_arguments_are_never_cached(generations, client, frozen_clock):
    frozen_clock(NOW)
    answers = [
        client.get("/api/v1/activities/calendar?month=2026-13").status_code for _ in range(2)
    ]

    assert answers == [422, 422]


def test_redis_generations_move_after_the_commit_without_a_database_row(
    generations, app, client, create_activity, create_user, auth_headers, frozen_clock
):
    if generations != "redis":
        pytest.skip("Redis generations only")
    frozen_clock(NOW)
    activity = create_activity(starts_at=NOW + timedelta(days=2))
    server = redis.Redis.from_url(REDIS_URL)
    key = f"{app.config['RATELIMIT_KEY_NAMESPACE']}:cache-generation:calendar"
    client.get(LIST)
    token = server.get(key)
    row = db.session.scalar(
        sa.select(CacheGeneration.value).where(CacheGeneration.name == "calendar")
    )

    client.post(
        f"/api/v1/activities/{activity.id}/signups", json={}, headers=auth_headers(create_user())
    )
    moved = server.get(key)
    _, counts = _confirmed(client)
    server.delete(key)  # Redis restarted or flushed: a new random token, never an old one
    _, counts_after_flush = _confirmed(client)

    assert token and moved and moved != token
    assert server.get(key) not in (None, token, moved)
    assert counts == counts_after_flush == [1]
    assert (
        db.session.scalar(
            sa.select(CacheGeneration.value).where(CacheGeneration.name == "calendar")
        )
        == row
    )  # the database row is not written


def _child_connection_id(app) -> int:
    """The Redis connection id a forked child of this process reads generations on."""
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: only Redis, then out without running the parent's teardown
        code = 1
        try:
            with app.app_context():
                os.write(writable, str(generation_store.redis_client().client_id()).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(writable)
    with os.fdopen(readable) as answer:
        child_id = answer.read()
    _, status = os.waitpid(pid, 0)
    assert status == 0
    return int(child_id)


def test_each_process_reads_generations_on_a_connection_of_its_own(generations, app, client):
    if generations != "redis":
        pytest.skip("Redis generations only")
    client.get(LIST)
    with app.app_context():
        kept = generation_store.redis_client()
        parent_id = kept.client_id()
        kept_again = generation_store.redis_client()

    child_id = _child_connection_id(app)

    assert kept_again is kept  # one connection per process, reused
    assert child_id != parent_id  # a forked worker never shares its parent's socket


def test_a_dropped_generation_connection_is_made_anew(
    generations, app, client, create_activity, frozen_clock
):
    if generations != "redis":
        pytest.skip("Redis generations only")
    frozen_clock(NOW)
    create_activity(starts_at=NOW + timedelta(days=2))
    first = client.get(LIST)
    with app.app_context():
        dropped = generation_store.redis_client().client_id()
    redis.Redis.from_url(REDIS_URL).client_kill_filter(_id=dropped)  # Redis restarted, say

    again = client.get(LIST, headers={"If-None-Match": first.headers["ETag"]})

    with app.app_context():
        assert generation_store.redis_client().client_id() != dropped
    assert again.status_code == 304  # still answered from the cache, on a new connection


def test_an_unreachable_redis_answers_uncached_and_writes_still_commit(
    app, client, create_activity, create_user, auth_headers, frozen_clock
):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    frozen_clock(NOW)
    activity = create_activity(starts_at=NOW + timedelta(days=2))
    first, counts = _confirmed(client)
    signed_up = client.post(
        f"/api/v1/activities/{activity.id}/signups", json={}, headers=auth_headers(create_user())
    )
    _, counts_after = _confirmed(client)

    assert "ETag" not in first.headers
    assert signed_up.status_code == 201
    assert (counts, counts_after) == ([0], [1])


def _detail(client, url, headers=None) -> dict:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_signed_in_detail_is_everyones_with_my_sign_up_read_afresh(
    generations, client, create_activity, create_user, auth_headers, frozen_clock
):
    frozen_clock(NOW)
    activity = create_activity(starts_at=NOW + timedelta(days=2), capacity=1)
    url = f"/api/v1/activities/{activity.id}"
    first, second = (auth_headers(create_user()) for _ in range(2))
    before = _detail(client, url, first)  # everyone's part is cached from here on

    client.post(f"{url}/signups", json={}, headers=first)
    client.post(f"{url}/signups", json={}, headers=second)
    mine, theirs, anyone = (_detail(client, url, who) for who in (first, second, None))

    assert before["my_signup"] is None and before["confirmed_count"] == 0
    assert mine["my_signup"]["status"] == "confirmed"
    assert theirs["my_signup"] == {
        "id": theirs["my_signup"]["id"],
        "status": "waitlisted",
        "waitlist_position": 1,
    }
    assert anyone["my_signup"] is None
    for answer in (mine, theirs):
        assert {**answer, "my_signup": None} == anyone
        assert (answer["confirmed_count"], answer["waitlist_count"]) == (1, 1)


def test_a_signed_in_detail_reads_only_the_sign_in_and_my_sign_up_while_unchanged(
    generations, client, create_activity, create_user, auth_headers, frozen_clock, count_queries
):
    frozen_clock(NOW)
    activity = create_activity(starts_at=NOW + timedelta(days=2))
    url = f"/api/v1/activities/{activity.id}"
    person = auth_headers(create_user())
    _detail(client, url)  # an anonymous reader made everyone's part

    with count_queries() as counted:
        answer = client.get(url, headers=person)

    assert answer.status_code == 200 and "ETag" not in answer.headers
    # The user with their session, my sign-up; the generation's row without Redis.
    assert counted.n == (2 if generations == "redis" else 3)


def test_a_draft_shows_to_its_organizer_and_never_to_anyone_else(
    generations, client, create_activity, create_user, auth_headers, frozen_clock
):
    frozen_clock(NOW)
    draft = create_activity(starts_at=NOW + timedelta(days=2), status="draft")
    url = f"/api/v1/activities/{draft.id}"
    organizer = auth_headers(create_user(roles=[("unit_admin", "LY-JL")]))
    resident = auth_headers(create_user())

    shown = client.get(url, headers=organizer)
    refused = [client.get(url, headers=who).status_code for who in (resident, None)]

    assert shown.status_code == 200
    assert (shown.get_json()["status"], shown.get_json()["my_signup"]) == ("draft", None)
    assert refused == [404, 404]
