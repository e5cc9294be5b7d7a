"""Enqueueing, claiming and running jobs; the in-process worker thread."""

import logging
import threading
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select, update

from api.accounts import roles
from api.accounts.models import User
from api.auth.permissions import has_role
from api.errors import Forbidden, NotFound
from api.extensions import db
from api.jobs.models import DONE, FAILED, QUEUED, RUNNING, Job
from api.timeutil import utcnow

log = logging.getLogger(__name__)

# A handler gets the job and a ``report(progress, message)`` callback; it returns a result
# dict, or raises to fail the job with the exception's message.
Handler = Callable[[Job, Callable[[int, str], None]], dict | None]
_handlers: dict[str, Handler] = {}
_wake = threading.Event()


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind``."""

    def register(function: Handler) -> Handler:
        _handlers[kind] = function
        return function

    return register


def enqueue(kind: str, payload: dict | None = None, created_by: User | None = None) -> Job:
    """Add a job to the caller's session; it runs once the caller commits."""
    if kind not in _handlers:
        raise ValueError(f"no handler for job kind {kind!r}")
    job = Job(kind=kind, payload=payload or {}, created_by_id=getattr(created_by, "id", None))
    db.session.add(job)
    _wake.set()
    return job


def get_job(actor: User, job_id: int) -> Job:
    """A job, for the user who started it or an admin.

    :raises NotFound: unknown job. :raises Forbidden: someone else's job.
    """
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound("任务不存在", error="job_not_found")
    if job.created_by_id != actor.id and not has_role(actor, roles.ADMIN):
        raise Forbidden()
    return job


def _claim_next() -> Job | None:
    """Take the oldest queued job; the conditional update makes two workers never share one."""
    while True:
        job_id = db.session.scalar(
            select(Job.id).where(Job.status == QUEUED).order_by(Job.id).limit(1)
        )
        if job_id is None:
            return None
        claimed = db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == QUEUED)
            .values(status=RUNNING, started_at=utcnow())
        ).rowcount
        db.session.commit()
        if claimed:
            return db.session.get(Job, job_id)


def _report_progress(job_id: int, progress: int, message: str) -> None:
    db.session.execute(
        update(Job).where(Job.id == job_id).values(progress=progress, message=message)
    )
    db.session.commit()


def run_next() -> Job | None:
    """Claim and run one queued job; returns it (finished) or None when the queue is empty."""
    job = _claim_next()
    if job is None:
        return None
    job_id = job.id
    try:
        result = _handlers[job.kind](job, lambda p, m="": _report_progress(job_id, p, m))
    except Exception as exc:  # a failed job is data, not a crash of the worker
        log.exception("job %s (%s) failed", job_id, job.kind)
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.status, job.message = FAILED, str(exc) or exc.__class__.__name__
    else:
        job = db.session.get(Job, job_id)
        job.status, job.progress, job.result = DONE, 100, result or {}
    job.finished_at = utcnow()
    db.session.commit()
    return job


def run_pending() -> int:
    """Run queued jobs until none is left; returns how many ran."""
    count = 0
    while run_next() is not None:
        count += 1
    return count


def start_worker_thread(app: Flask, poll_seconds: float = 1.0) -> threading.Thread:
    """Run jobs in a daemon thread of this process (the embedded default)."""

    def work() -> None:
        while True:
            _wake.wait(poll_seconds)
            _wake.clear()
            try:
                with app.app_context():
                    run_pending()
            except Exception:
                log.exception("job worker loop failed; retrying")

    thread = threading.Thread(target=work, name="job-worker", daemon=True)
    thread.start()
    return thread
