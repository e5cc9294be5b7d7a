"""Scheduled publishing: an article dated in the future is ``scheduled``: off the site, the
API and search until its day (Asia/Shanghai), when the periodic task publishes it with one
site build."""

import datetime as dt

import pytest
from sqlalchemy import select

from api.articles import services
from api.articles.scheduling import publish_due_articles
from api.extensions import db
from api.jobs.models import Job
from api.searching.index import search_index
from publishing import sitebuild

# 08:00 in Shanghai on 3, 4 and 5 December 2026
DAY = {day: dt.datetime(2026, 12, day, 0, 0, tzinfo=dt.UTC) for day in (3, 4, 5)}
TODAY_SLUG, LATER_SLUG = "2026-12-03-jintian", "2026-12-05-houtian"


@pytest.fixture
def scheduled_site(site_app, frozen_clock, create_article):
    """Today's article published and one dated two days later, with the site built today."""
    frozen_clock(DAY[3])
    create_article(name="jintian", title="今天的新闻", category="news")
    create_article(name="houtian", title="后天的讲座", category="news", date=dt.date(2026, 12, 5))
    services.rebuild_site()
    return site_app


def _site_jobs() -> list[Job]:
    db.session.expire_all()
    return list(db.session.scalars(select(Job).where(Job.kind == services.SITE_BUILD)))


def _search_ids(query: str) -> set[str]:
    return {hit.id for hit in search_index().query(query).hits}


def test_a_future_article_is_scheduled_and_stays_off_site_api_and_search(
    client, fetch, scheduled_site, editor_headers
):
    services.sync_search_entry(services.store_for(scheduled_site.config["CONTENT_DIR"]), LATER_SLUG)

    assert fetch(f"/news/{TODAY_SLUG}/").status_code == 200
    assert fetch(f"/news/{LATER_SLUG}/").status_code == 404
    listed = client.get("/api/v1/articles").get_json()
    assert [item["slug"] for item in listed["data"]] == [TODAY_SLUG]
    assert client.get(f"/api/v1/articles/{LATER_SLUG}").status_code == 404
    editor_view = client.get(
        f"/api/v1/editor/articles/{LATER_SLUG}", headers=editor_headers
    ).get_json()
    assert editor_view["status"] == "scheduled"
    assert f"article:{LATER_SLUG}" not in _search_ids("讲座")


def test_the_task_publishes_it_on_its_day_with_one_build(
    client, fetch, frozen_clock, scheduled_site, run_jobs
):
    frozen_clock(DAY[4])
    assert publish_due_articles() == {}
    assert _site_jobs() == []

    frozen_clock(DAY[5])
    assert publish_due_articles() == {"scheduled_published": 1}
    assert publish_due_articles() == {}  # a build is queued: nothing more
    [job] = run_jobs()

    assert (job.status, job.result["indexed"]) == ("done", 1)
    assert fetch(f"/news/{LATER_SLUG}/").status_code == 200
    assert LATER_SLUG in {
        item["slug"] for item in client.get("/api/v1/articles").get_json()["data"]
    }
    assert f"article:{LATER_SLUG}" in _search_ids("讲座")
    assert publish_due_articles() == {}  # the live build is today's
    assert len(_site_jobs()) == 1


def test_a_site_built_before_scheduling_is_rebuilt_once_holding_back_the_future(
    fetch, frozen_clock, site_app, create_article, run_jobs
):
    frozen_clock(DAY[3])
    create_article(name="houtian", title="后天的讲座", category="news", date=dt.date(2026, 12, 5))
    sitebuild.build_site(
        site_app.config["MKDOCS_CONFIG"],
        services.site_dir(),
        docs_dir=site_app.config["CONTENT_DIR"],
    )  # no publish_until
    assert fetch(f"/news/{LATER_SLUG}/").status_code == 200

    assert publish_due_articles() == {"scheduled_published": 0}
    assert publish_due_articles() == {}
    run_jobs()

    assert fetch(f"/news/{LATER_SLUG}/").status_code == 404
    assert publish_due_articles() == {}
