"""At most once: several workers over one outbox never send a notification twice
(the stub counts what it received)."""

import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

from api.extensions import db
from api.notifications import services
from api.notifications.models import SubscriptionGrant
from api.notifications.outbox import claim_due, run_outbox
from api.timeutil import utcnow

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 40


@pytest.fixture
def outbox(create_user, templates):
    """PEOPLE users, each with three grants (so a grant never hides a second send) and one
    pending notification."""
    users = [create_user() for _ in range(PEOPLE)]
    for user in users:
        db.session.add(
            SubscriptionGrant(
                user_id=user.id,
                remaining=3,
                accepted_total=3,
                template_id=templates["signup_confirmed"],
            )
        )
        services.notify([user.id], "signup_confirmed", f"报名成功：活动{user.id}")
    db.session.commit()
    return users


def _assert_each_sent_once(stub, users, notifications):
    received = Counter(message["touser"] for message in stub.messages)
    assert received == Counter({user.openid: 1 for user in users})
    assert len(stub.calls_to("subscribe_send")) == PEOPLE
    assert {row.status for row in notifications()} == {"sent"}


def test_two_worker_threads_send_each_notification_once(app, outbox, stub, notifications):
    stub.set_latency("subscribe_send", 0.02)
    start = threading.Barrier(2)
    reports = []

    def work():
        with app.app_context():
            start.wait()
            reports.append(run_outbox(batch_size=4))

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sorted(report.sent for report in reports)[0] > 0  # both really worked
    assert sum(report.sent for report in reports) == PEOPLE
    _assert_each_sent_once(stub, outbox, notifications)


def test_racing_claims_are_disjoint(app, outbox):
    now = utcnow()
    start = threading.Barrier(8)
    claims: list[list[int]] = []

    def claim():
        with app.app_context():
            start.wait()
            while batch := claim_due(now, batch_size=3):
                claims.append(batch)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    claimed = [notification_id for batch in claims for notification_id in batch]
    assert len(claimed) == len(set(claimed)) == PEOPLE


def test_two_worker_processes_send_each_notification_once(app, outbox, stub, notifications):
    stub.set_latency("subscribe_send", 0.05)
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "WECHAT_API_BASE": stub.base_url,
        "WECHAT_RETRY_BACKOFF": "0.01",
        "APP_ENV": "development",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "notifications", "run", "--once"]

    workers = [
        subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0], outputs
    sent = [int(out.split("sent=")[1].split()[0]) for out, _ in outputs]
    assert sum(sent) == PEOPLE
    _assert_each_sent_once(stub, outbox, notifications)
