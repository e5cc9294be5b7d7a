"""The real task queue: ``flask worker`` processes against this test's database and the
WeChat stub, with Huey on a SQLite file and on Redis.

* a commit that writes outbox rows wakes the worker through the queue (after_commit), and
  the worker delivers them;
* a worker SIGKILLed in the middle of a delivery loses nothing and sends nothing twice: the
  next worker takes the claims left behind once their lease ran out, and the one send that
  was in flight is marked ``interrupted``, never sent again (the stub counts what arrived).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from api.extensions import db
from api.notifications import services
from api.notifications.models import Notification, SubscriptionGrant
from api.tasks.queue import task_queue

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_reachable() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture(params=["sqlite", "redis"])
def queue_config(request, tmp_path):
    """The Huey storage under test: a SQLite file, or Redis (required in CI)."""
    name = f"civtest-{uuid.uuid4().hex[:8]}"
    if request.param == "redis":
        if not _redis_reachable():
            if os.environ.get("CI") == "true":
                pytest.fail(f"Redis is required in CI ({REDIS_URL})")
            pytest.skip(f"Redis not reachable at {REDIS_URL}")
        yield {"TASK_QUEUE": "redis", "REDIS_URL": REDIS_URL, "HUEY_NAME": name}
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"huey.*{name}*"):
            client.delete(key)
        return
    yield {
        "TASK_QUEUE": "sqlite",
        "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite3"),
        "HUEY_NAME": name,
    }


@pytest.fixture
def worker(app, stub, tmp_path):
    """Factory: start ``flask worker`` (one task thread) with the app's queue settings."""
    started = []

    def start(**settings) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "WECHAT_API_BASE": stub.base_url,
            "WECHAT_RETRY_BACKOFF": "0.01",
            "APP_ENV": "development",
            "WORKER_THREADS": "1",
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
            "SITE_DIR": str(tmp_path / "site"),
            **{key: str(value) for key, value in settings.items()},
        }
        with open(tmp_path / "worker.log", "ab") as log:  # the child keeps its own copy
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=log,
            )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _people_with_grants(create_user, app, count: int) -> list:
    template = app.config["NOTIFICATION_TEMPLATES"]["signup_confirmed"]["template_id"]
    people = [create_user() for _ in range(count)]
    for person in people:
        db.session.add(
            SubscriptionGrant(
                user_id=person.id, template_id=template, remaining=2, accepted_total=2
            )
        )
    db.session.commit()
    return people


def _rows() -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).order_by(Notification.id)))


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_a_commit_wakes_the_worker_through_the_queue(app, queue_config, worker, stub, create_user):
    app.config.update(queue_config)
    task_queue.init_app(app)  # this app enqueues into the same Huey as the worker
    people = _people_with_grants(create_user, app, 3)
    process = worker(**queue_config)
    time.sleep(1)  # let it start; the wake-up below must come through the queue

    services.notify([person.id for person in people], "signup_confirmed", "报名成功：义诊")
    db.session.commit()

    _wait(lambda: len(stub.messages) == 3, 60, "three deliveries")
    _wait(lambda: {row.status for row in _rows()} == {"sent"}, 10, "rows marked sent")
    assert process.poll() is None
    assert Counter(message["touser"] for message in stub.messages) == Counter(
        {person.openid: 1 for person in people}
    )


def test_killing_a_worker_mid_delivery_loses_nothing_and_sends_nothing_twice(
    app, worker, stub, create_user, tmp_path, capsys
):
    count, lease = 16, 2
    settings = {
        "TASK_QUEUE": "sqlite",
        "HUEY_SQLITE_PATH": tmp_path / "huey.sqlite3",
        "OUTBOX_LEASE_SECONDS": lease,
    }
    people = _people_with_grants(create_user, app, count)
    services.notify([person.id for person in people], "signup_confirmed", "报名成功：义诊")
    db.session.commit()
    stub.set_latency("subscribe_send", 0.15)

    first = worker(**settings)
    _wait(lambda: len(stub.messages) >= 4, 60, "the first sends")
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_after = len(stub.messages)
    time.sleep(lease + 0.5)  # the dead worker's lease runs out
    worker(**settings)
    _wait(
        lambda: all(row.status in ("sent", "failed") for row in _rows()), 90, "every row finished"
    )

    rows = _rows()
    received = Counter(message["touser"] for message in stub.messages)
    openid = {person.id: person.openid for person in people}
    sent = [row for row in rows if row.status == "sent"]
    interrupted = [row for row in rows if row.last_error == "interrupted"]
    assert max(received.values()) == 1  # nothing sent twice
    assert len(sent) + len(interrupted) == count  # nothing lost
    assert all(received[openid[row.user_id]] == 1 for row in sent)
    assert len(interrupted) <= 1  # only the send in flight at the kill is unknown
    with capsys.disabled():
        print(
            f"\n[kill test] {count} rows; killed after {killed_after} sends; "
            f"then sent {len(sent)}, interrupted {len(interrupted)} (received by the stub: "
            f"{[received[openid[row.user_id]] for row in interrupted]}); "
            f"stub messages {len(stub.messages)}, per user max {max(received.values())}, "
            f"send calls {len(stub.calls_to('subscribe_send'))}"
        )
