"""Prometheus metrics at ``/metrics`` (``prometheus-client``).

Request latency is a histogram by endpoint (the route rule, never the raw path, so ids do
not make new series). Under gunicorn's several workers every process writes its samples to
files in ``PROMETHEUS_MULTIPROC_DIR`` (``gunicorn.conf.py`` sets and cleans it) and a scrape
adds them up. The backlog figures are read from the database and the queue when scraped:
queue depth, outbox backlog (notifications due now) and the age of the oldest due task.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from api.extensions import db
from api.jobs.models import Job, JobStatus
from api.notifications.models import Notification, NotificationStatus
from api.tasks.queue import task_queue
from api.timeutil import utcnow

REQUEST_SECONDS = Histogram(
    "civ_request_duration_seconds",
    "Time to answer a request, by route rule",
    ["method", "endpoint", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def observe_request(method: str, endpoint: str, status: int, seconds: float) -> None:
    """Count one answered request."""
    REQUEST_SECONDS.labels(method, endpoint, str(status)).observe(seconds)


def _due_notifications(now):
    return sa.and_(
        Notification.status == NotificationStatus.PENDING,
        sa.or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
    )


def backlog() -> dict[str, float]:
    """Queue depth, outbox backlog and the age in seconds of the oldest due task (0: none)."""
    now = utcnow()
    outbox, oldest_notification = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.min(sa.func.coalesce(Notification.next_attempt_at, Notification.created_at)),
        ).where(_due_notifications(now))
    ).one()
    jobs, oldest_job = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(Job.created_at)).where(
            Job.status == JobStatus.QUEUED
        )
    ).one()
    oldest = min((moment for moment in (oldest_notification, oldest_job) if moment), default=None)
    return {
        "queue_depth": float(task_queue.huey().pending_count()),
        "outbox_backlog": float(outbox),
        "queued_jobs": float(jobs),
        "oldest_due_seconds": max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
    }


class BacklogCollector:
    """The backlog gauges, read when scraped (one process answers for all)."""

    def collect(self):
        figures = backlog()
        described = {
            "queue_depth": "Tasks waiting in the Huey queue",
            "outbox_backlog": "Notifications due for delivery now",
            "queued_jobs": "Jobs (site builds, search entries) waiting",
            "oldest_due_seconds": "Age of the oldest due notification or job, seconds",
        }
        for name, text in described.items():
            yield GaugeMetricFamily(f"civ_{name}", text, value=figures[name])


def exposition() -> Response:
    """The text the Prometheus server scrapes."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Delegate(REGISTRY))
    registry.register(BacklogCollector())
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


class _Delegate:
    """This process's own metrics (no multiprocess directory: one process serves)."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()
