"""/healthz, /readyz, /metrics and the JSON request log."""

import json
import logging
import os
import re
from datetime import UTC, datetime, timedelta

import pytest

from api.extensions import db
from api.jobs.models import Job
from api.notifications.models import Notification

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def request_log(app, caplog):
    """The records of the request log (it does not propagate to the root logger)."""
    logger = logging.getLogger("civpractice.requests")
    logger.addHandler(caplog.handler)
    yield lambda: [
        json.loads(record.getMessage()) for record in caplog.records if record.name == logger.name
    ]
    logger.removeHandler(caplog.handler)


def _metric(text: str, name: str, **labels) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" (\S+)"
    found = re.search(r"^" + pattern + r"$", text, re.M)
    assert found, f"{name} {labels} not in metrics"
    return float(found.group(1))


def test_healthz_answers_without_the_database(make_app, tmp_path):
    missing = tmp_path / "missing-dir" / "db.sqlite3"
    broken = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}")

    assert broken.test_client().get("/healthz").get_json() == {"status": "ok"}


def test_readyz_names_an_unreachable_database_and_answers_again(make_app, tmp_path):
    missing = tmp_path / "missing-dir" / "db.sqlite3"
    broken = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}")
    client = broken.test_client()

    answers = [client.get("/readyz") for _ in range(2)]  # a failed ping leaves nothing behind

    assert [answer.status_code for answer in answers] == [503, 503]
    assert all(answer.get_json()["checks"]["database"] == "unavailable" for answer in answers)


def test_readyz_names_what_is_missing_until_everything_is_there(app, client, runner):
    before = client.get("/readyz")
    site = app.config["SITE_DIR"]
    os.makedirs(site)
    with open(os.path.join(site, "index.html"), "w", encoding="utf-8") as page:
        page.write("<p>首页</p>")
    halfway = client.get("/readyz").get_json()["failed"]
    assert runner.invoke(args=["search", "rebuild"]).exit_code == 0
    after = client.get("/readyz")

    assert before.status_code == 503
    assert before.get_json()["failed"] == ["search_index", "site"]
    assert before.get_json()["checks"]["database"] == "ok"
    assert before.get_json()["checks"]["queue"] == "ok"
    assert halfway == ["search_index"]
    assert after.status_code == 200 and after.get_json()["failed"] == []


def test_metrics_count_requests_by_route_rule(client):
    def unit_404s() -> tuple[float, str]:
        text = client.get("/metrics").get_data(as_text=True)
        count = _metric(
            text,
            "civ_request_duration_seconds_count",
            endpoint="/api/v1/units/<int:unit_id>",
            method="GET",
            status="404",
        )
        return count, text

    client.get("/api/v1/units/6")
    # The metrics live as long as the process: earlier tests of this worker count too.
    before, _ = unit_404s()
    for unit_id in (7, 8, 9):
        client.get(f"/api/v1/units/{unit_id}")

    after, text = unit_404s()
    assert after - before == 3
    assert "/api/v1/units/7" not in text


def test_metrics_show_the_backlog_and_the_age_of_the_oldest_due_task(
    app, client, create_user, frozen_clock
):
    frozen_clock(NOW)
    user = create_user()
    db.session.add_all(
        [
            Notification(
                user_id=user.id,
                kind="signup",
                title="报名成功",
                created_at=NOW - timedelta(minutes=5),
                next_attempt_at=NOW - timedelta(seconds=90),
            ),
            Notification(
                user_id=user.id,
                kind="signup",
                title="稍后重试",
                created_at=NOW - timedelta(minutes=9),
                next_attempt_at=NOW + timedelta(minutes=1),
            ),
            Job(kind="site_build", created_at=NOW - timedelta(seconds=30)),
        ]
    )
    db.session.commit()

    text = client.get("/metrics").get_data(as_text=True)

    assert _metric(text, "civ_outbox_backlog") == 1  # the later retry is not due yet
    assert _metric(text, "civ_queued_jobs") == 1
    assert _metric(text, "civ_oldest_due_seconds") == 90
    # The commit woke the queue: one delivery and one jobs run wait for a worker.
    assert _metric(text, "civ_queue_depth") == 2


def test_one_json_line_per_request_with_the_route_and_the_given_request_id(client, request_log):
    response = client.get("/api/v1/units/12?token=s3cret-value", headers={"X-Request-ID": "req-42"})
    client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})

    first, second = request_log()
    assert response.headers["X-Request-ID"] == "req-42"
    assert first["request_id"] == "req-42"
    assert first["method"] == "GET" and first["status"] == 404
    assert first["route"] == "/api/v1/units/<int:unit_id>"
    assert isinstance(first["duration_ms"], float)
    assert set(first) == {"method", "route", "status", "duration_ms", "request_id"}
    assert "s3cret" not in json.dumps(first)
    assert re.fullmatch(r"[0-9a-f]{32}", second["request_id"])  # a new one, not the given
