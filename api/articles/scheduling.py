"""Scheduled publishing: an article dated in the future goes online on its day.

An article that is not a draft but is dated after today (Asia/Shanghai) is ``scheduled``:
the site build leaves it out, the API and search do not show it. The periodic task
``articles.publish_scheduled`` compares the live build's ``publish_until`` date with today;
when articles came due in between, it queues one site build for all of them (which also
adds their search entries). The check is idempotent: once the build is live, or while one
is queued or running, it queues nothing.
"""

from flask import current_app
from sqlalchemy import select

from api.articles.services import SITE_BUILD, site_dir, store_for
from api.extensions import db
from api.jobs.models import Job, JobStatus
from api.jobs.services import enqueue
from api.timeutil import local_today
from api.transactions import atomic
from publishing import sitebuild
from publishing.store import ArticleStatus, status_of

SCHEDULED_ACTION = "publish_scheduled"


def articles_due(since: str, today) -> list[str]:
    """Slugs of the published articles dated after ``since`` and up to ``today``."""
    return [
        article.slug
        for article in store_for(current_app.config["CONTENT_DIR"]).list()
        if since < article.date.isoformat() and status_of(article, today) == ArticleStatus.PUBLISHED
    ]


def publish_due_articles() -> dict:
    """Queue one site build when scheduled articles came due since the live build."""
    today = local_today()
    if sitebuild.current_build(site_dir()) is None:
        return {}  # no site yet: `flask site build` makes the first
    # A build from before scheduling held nothing back: the next one must.
    built_until = sitebuild.published_until(site_dir()) or ""
    if built_until >= today.isoformat():
        return {}  # the live build is current
    # One unit from the check to the enqueue: it ends the read of the queue either way.
    with atomic():
        waiting = db.session.scalar(
            select(Job.id)
            .where(Job.kind == SITE_BUILD, Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
            .limit(1)
        )
        if waiting is not None:
            return {}  # a build is on its way; it reads today's date when it runs
        slugs = articles_due(built_until, today) if built_until else []
        if built_until and not slugs:
            return {}
        enqueue(SITE_BUILD, {"action": SCHEDULED_ACTION, "slugs": slugs})
    return {"scheduled_published": len(slugs)}
