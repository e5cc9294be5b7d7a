"""Rate limits: on every endpoint where abuse is cheap, per user or per client address
behind trusted proxies, per looked-up person, and shared across processes through Redis."""

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis

from api.config import Config

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REDIS = ("127.0.0.1", 6379)
VOLUNTEER = "/api/v1/me/volunteer"


@pytest.fixture
def limited(make_app):
    """Factory: a test client of an app whose given limits are on."""

    def client(**limits):
        return make_app(RATELIMIT_ENABLED=True, **limits).test_client()

    return client


@pytest.mark.parametrize(
    ("setting", "method", "path", "body"),
    [
        ("SIGNUP_RATE_LIMIT", "post", "/api/v1/activities/1/signups", None),
        ("HELP_REQUEST_RATE_LIMIT", "post", "/api/v1/help-requests", {}),
        ("SEARCH_RATE_LIMIT", "get", "/api/v1/search?q=%E4%B9%89%E8%AF%8A", None),
        ("SEARCH_RATE_LIMIT", "get", "/api/v1/search/suggest?q=yi", None),
        ("UPLOAD_RATE_LIMIT", "post", "/api/v1/articles/some-article/images", None),
        ("VOLUNTEER_RATE_LIMIT", "put", VOLUNTEER, {}),
        ("HOURS_LOOKUP_RATE_LIMIT", "post", "/api/v1/hours/lookup", {"name": "张三"}),
        ("LOGIN_RATE_LIMIT", "post", "/api/v1/auth/refresh", {"refresh_token": "x"}),
    ],
)
def test_each_cheap_endpoint_is_limited(limited, assert_envelope, setting, method, path, body):
    client = limited(**{setting: "1 per minute"})
    send = getattr(client, method)

    first, second = send(path, json=body), send(path, json=body)

    assert first.status_code != 429
    assert_envelope(second, 429, "rate_limited")


def test_hours_lookup_is_a_post_and_get_is_refused(client, assert_envelope):
    assert_envelope(
        client.get("/api/v1/hours/lookup?name=张三&id_last4=1234"), 405, "method_not_allowed"
    )


def test_lookups_of_one_person_are_capped_whoever_asks(limited, assert_envelope):
    client = limited(HOURS_LOOKUP_TARGET_RATE_LIMIT="2 per minute")
    url = "/api/v1/hours/lookup"

    answers = [
        client.post(
            url,
            json={"name": "张小三", "id_last4": f"{digits:04d}"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{digits}"},
        )
        for digits in range(1, 4)
    ]
    other_person = client.post(url, json={"name": "李四", "id_last4": "0001"})

    assert [answer.status_code for answer in answers[:2]] == [404, 404]
    assert_envelope(answers[2], 429, "rate_limited")
    # The same name written with spaces is the same person.
    spaced = client.post(url, json={"name": " 张 小三", "id_last4": "0009"})
    assert spaced.status_code == 429
    assert other_person.status_code == 404


@pytest.fixture
def one_registration_a_minute(make_app):
    make_app(RATELIMIT_ENABLED=True, VOLUNTEER_RATE_LIMIT="1 per minute")


def test_signed_in_users_are_counted_per_user_not_per_address(
    one_registration_a_minute, client, create_user, auth_headers
):
    first, second = create_user(), create_user()

    answers = [
        client.put(VOLUNTEER, json={}, headers=auth_headers(user)) for user in (first, second)
    ]
    again = client.put(
        VOLUNTEER, json={}, headers=auth_headers(first), environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )

    assert [answer.status_code for answer in answers] == [422, 422]
    assert again.status_code == 429


def test_behind_a_trusted_proxy_clients_are_told_apart_by_forwarded_for(limited):
    client = limited(VOLUNTEER_RATE_LIMIT="1 per minute", TRUSTED_PROXIES=1)

    def put(client_address: str):
        return client.put(VOLUNTEER, json={}, headers={"X-Forwarded-For": client_address})

    assert [put("203.0.113.7").status_code, put("203.0.113.8").status_code] == [401, 401]
    assert put("203.0.113.7").status_code == 429


def test_only_as_many_forwarded_addresses_as_trusted_proxies_count(limited):
    client = limited(VOLUNTEER_RATE_LIMIT="1 per minute", TRUSTED_PROXIES=1)

    def put(forwarded_for: str):
        return client.put(VOLUNTEER, json={}, headers={"X-Forwarded-For": forwarded_for})

    # A client cannot pick a fresh identity by prepending addresses: the proxy's is used.
    assert put("1.1.1.1, 203.0.113.7").status_code == 401
    assert put("2.2.2.2, 203.0.113.7").status_code == 429


def test_without_trusted_proxies_forwarded_for_is_ignored(limited):
    client = limited(VOLUNTEER_RATE_LIMIT="1 per minute")

    def put(client_address: str):
        return client.put(VOLUNTEER, json={}, headers={"X-Forwarded-For": client_address})

    assert put("203.0.113.7").status_code == 401
    assert put("203.0.113.8").status_code == 429


def test_production_refuses_memory_limits_with_several_workers(make_app):
    with pytest.raises(RuntimeError, match="memory://"):
        make_app(
            APP_ENV="production",
            SECRET_KEY="s" * 40,
            DATA_KEY="d" * 40,
            RATELIMIT_STORAGE_URI="memory://",
            WEB_CONCURRENCY=2,
        )


def _redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


def _redis_settings(prefix: str) -> dict:
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "RATELIMIT_KEY_NAMESPACE": prefix,
        "VOLUNTEER_RATE_LIMIT": "3 per minute",
    }


@pytest.fixture
def redis_limits(make_app):
    """The limits of this test in the real Redis, under a key prefix of their own."""
    if not _redis_answers():
        if os.environ.get("CI"):
            pytest.fail("Redis does not answer at 127.0.0.1:6379")
        pytest.skip("Redis does not answer at 127.0.0.1:6379")
    prefix = f"civtest-{uuid.uuid4().hex[:10]}"
    make_app(**_redis_settings(prefix))
    yield prefix

    connection = redis.Redis(*REDIS)
    keys = list(connection.scan_iter(f"*{prefix}*"))
    if keys:
        connection.delete(*keys)


_OTHER_WORKER = """
import json, sys
from api import create_app
from api.config import Config
client = create_app(json.loads(sys.argv[1])).test_client()
print(" ".join(str(client.put("/api/v1/me/volunteer", json={}).status_code) for _ in range(2)))
"""


@pytest.mark.slow
def test_limits_in_redis_hold_across_processes(redis_limits, app_config, request):

    client = request.getfixturevalue("client")
    here = [client.put(VOLUNTEER, json={}).status_code for _ in range(2)]
    assert list(redis.Redis(*REDIS).scan_iter(f"*{redis_limits}*")), "nothing counted in Redis"

    # Another process (as another gunicorn worker or machine) shares the count.
    settings = json.dumps({**app_config, **_redis_settings(redis_limits)})
    other = subprocess.run(
        [sys.executable, "-c", _OTHER_WORKER, settings],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
    )

    assert other.returncode == 0, other.stderr
    assert here == [401, 401]
    assert other.stdout.split() == ["401", "429"]


def test_redis_url_makes_redis_the_limit_storage(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)

    assert Config().RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/0"


def test_an_unreachable_redis_does_not_fail_requests(make_app):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client = make_app(
        RATELIMIT_ENABLED=True,
        VOLUNTEER_RATE_LIMIT="1 per minute",
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port}/0",
    ).test_client()

    answers = [client.put(VOLUNTEER, json={}).status_code for _ in range(2)]

    assert answers == [401, 429]  # counted in memory meanwhile
