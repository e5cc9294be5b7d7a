"""定时发布: an article scheduled for later stays off the site, the read API and search until
its moment; then the due build (``queue_due_builds``, ``flask site publish-due``) puts it on."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from api.articles import services
from api.articles.scheduling import start_publishing_thread
from api.extensions import db
from api.jobs.models import Job

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def scheduled(client, site_app, editor_headers, draft_payload, run_jobs, frozen_clock):
    """A draft scheduled for 11:00 (Shanghai) while the clock says 10:00, its build run."""
    frozen_clock(NOW)
    client.post("/api/v1/articles", json=draft_payload(title="元旦志愿服务安排"),
                headers=editor_headers)
    response = client.post("/api/v1/articles/2026-12-03-ceshi/schedule", headers=editor_headers,
                           json={"publish_at": "2026-12-03T11:00:00+08:00"})
    assert response.status_code == 202, response.get_json()
    (job,) = run_jobs()
    assert job.status == "done", job.message
    return response.get_json()


def _editor_view(client, headers) -> dict:
    return client.get("/api/v1/editor/articles/2026-12-03-ceshi", headers=headers).get_json()


def test_a_scheduled_article_waits_for_its_moment(fetch, client, scheduled, editor_headers):
    search = pytest.importorskip("search")

    assert _editor_view(client, editor_headers)["status"] == "scheduled"
    assert _editor_view(client, editor_headers)["publish_at"] == "2026-12-03T11:00:00+08:00"
    assert fetch("/health/2026-12-03-ceshi/").status_code == 404
    assert client.get("/api/v1/articles/2026-12-03-ceshi").status_code == 404
    assert client.get("/api/v1/articles").get_json()["data"] == []
    index = search.SearchIndex(client.application.config["SEARCH_INDEX_DIR"])
    assert index.query("元旦").hits == []


def test_the_due_build_puts_it_on_the_site(fetch, client, scheduled, editor_headers, run_jobs,
                                           frozen_clock, runner):
    search = pytest.importorskip("search")
    store = services.store_for(client.application.config["CONTENT_DIR"])
    frozen_clock(NOW + timedelta(minutes=59))
    assert services.queue_due_builds(store) is None

    frozen_clock(NOW + timedelta(hours=1, minutes=1))
    result = runner.invoke(args=["site", "publish-due"])
    again = services.queue_due_builds(store)  # the queued build will carry it: no second one

    assert "已排队网站构建任务" in result.output and again is None
    (job,) = run_jobs()
    assert job.status == "done", job.message
    assert job.result["indexed"] == [True]
    assert fetch("/health/2026-12-03-ceshi/").status_code == 200
    assert client.get("/api/v1/articles/2026-12-03-ceshi").status_code == 200
    assert _editor_view(client, editor_headers)["status"] == "published"
    index = search.SearchIndex(client.application.config["SEARCH_INDEX_DIR"])
    assert [hit.id for hit in index.query("元旦").hits] == ["article:2026-12-03-ceshi"]
    assert services.queue_due_builds(store) is None


def test_a_moment_in_the_past_is_refused(client, scheduled, editor_headers):
    response = client.post("/api/v1/articles/2026-12-03-ceshi/schedule", headers=editor_headers,
                           json={"publish_at": "2026-12-03T09:00:00+08:00"})

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"publish_at": ["定时发布时间应晚于现在"]}


def test_publishing_now_drops_the_schedule(fetch, client, scheduled, editor_headers, run_jobs):
    client.post("/api/v1/articles/2026-12-03-ceshi/publish", headers=editor_headers)
    run_jobs()

    view = _editor_view(client, editor_headers)
    assert (view["status"], view["publish_at"]) == ("published", None)
    assert fetch("/health/2026-12-03-ceshi/").status_code == 200


def test_the_editors_list_filters_by_status(client, scheduled, editor_headers, draft_payload):
    client.post("/api/v1/articles", json=draft_payload(slug="2026-12-03-caogao"),
                headers=editor_headers)

    def slugs(status):
        return [item["slug"] for item in client.get(
            f"/api/v1/editor/articles?status={status}", headers=editor_headers).get_json()["data"]]

    assert slugs("scheduled") == ["2026-12-03-ceshi"]
    assert slugs("draft") == ["2026-12-03-caogao"]
    assert slugs("published") == []


def test_the_web_process_timer_queues_the_due_build(app, scheduled, frozen_clock):
    frozen_clock(NOW + timedelta(hours=2))
    stop = threading.Event()
    thread = start_publishing_thread(app, poll_seconds=0.05, stop=stop)
    try:
        for _ in range(100):
            db.session.rollback()  # a fresh read of what the timer's own session wrote
            waiting = db.session.scalars(select(Job).where(Job.status == "queued")).all()
            if waiting:
                break
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=5)
    assert [job.payload for job in waiting] == [
        {"slugs": ["2026-12-03-ceshi"], "action": "scheduled"}]
