"""Enqueueing, claiming and running jobs.

The job row is the source of truth, written in the caller's transaction; the task queue
(``flask worker``) only runs :func:`run_pending`, woken after the commit and every minute.
A worker claims a job with a lease (``claimed_until``) that each progress report renews;
a job whose worker died is claimed again once its lease ran out, up to
``JOB_MAX_ATTEMPTS`` claims. A handler must therefore be safe to run again (a site build
and a search entry are).
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from api.accounts import roles
from api.accounts.models import User
from api.auth.permissions import has_role
from api.errors import Forbidden, NotFound
from api.extensions import db
from api.jobs.models import Job, JobStatus
from api.timeutil import utcnow
from api.transactions import atomic

log = logging.getLogger(__name__)

# A handler gets the job and a ``report(progress, message)`` callback; it returns a result
# dict, or raises to fail the job with the exception's message.
Handler = Callable[[Job, Callable[[int, str], None]], dict | None]
_handlers: dict[str, Handler] = {}


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
    db.session.add(job)  # the task queue is woken after the commit (api.tasks.wakeup)
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


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])


def _claimable(now: datetime):
    """Queued, or running under a lease that ran out (its worker died) with claims left."""
    return or_(
        Job.status == JobStatus.QUEUED,
        and_(
            Job.status == JobStatus.RUNNING,
            Job.claimed_until < now,
            Job.attempts < current_app.config["JOB_MAX_ATTEMPTS"],
        ),
    )


@atomic()
def fail_exhausted_jobs(now: datetime | None = None) -> int:
    """Fail the jobs whose worker died ``JOB_MAX_ATTEMPTS`` times: they are not tried again."""
    now = now or utcnow()
    count = db.session.execute(
        update(Job)
        .where(
            Job.status == JobStatus.RUNNING,
            Job.claimed_until < now,
            Job.attempts >= current_app.config["JOB_MAX_ATTEMPTS"],
        )
        .values(
            status=JobStatus.FAILED,
            finished_at=now,
            claimed_until=None,
            message="任务多次中断，已停止重试",
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    return count


def _claim_next() -> Job | None:
    """Take the oldest claimable job with a lease. The conditional UPDATE is re-checked by
    the database against the committed row, so of two workers exactly one gets a job."""
    while True:
        # One unit per attempt: the claim commits at once, so the other workers see it.
        with atomic():
            now = utcnow()
            job_id = db.session.scalar(
                select(Job.id).where(_claimable(now)).order_by(Job.id).limit(1)
            )
            if job_id is None:
                return None
            claimed = db.session.execute(
                update(Job)
                .where(Job.id == job_id, _claimable(now))
                .values(
                    status=JobStatus.RUNNING,
                    started_at=now,
                    claimed_until=now + _lease(),
                    attempts=Job.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            ).rowcount
        if claimed:
            return db.session.get(Job, job_id, populate_existing=True)


def _report_progress(job_id: int, progress: int, message: str) -> None:
    """Write the progress and renew the lease: a job that reports is alive.

    Its own unit, committed at once, so the progress shows while the job runs: a handler
    reports outside any unit of its own (inside one, the report would join it and show
    nothing until the handler's unit ends).
    """
    with atomic():
        db.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(progress=progress, message=message, claimed_until=utcnow() + _lease())
            .execution_options(synchronize_session=False)
        )


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
        # A handler's writes run in units of their own, which rolled back when it raised; a
        # database error outside them may leave the session's transaction failed. Discard
        # it (what a request's teardown does) so the unit below starts clean.
        db.session.close()
        status, values = JobStatus.FAILED, {"message": str(exc) or exc.__class__.__name__}
    else:
        status, values = JobStatus.DONE, {"progress": 100, "result": result or {}}
    with atomic():
        job = db.session.get(Job, job_id)
        job.status, job.finished_at, job.claimed_until = status, utcnow(), None
        for name, value in values.items():
            setattr(job, name, value)
    return job


def run_pending() -> int:
    """Run queued jobs (and those a dead worker left) until none is left; returns how many
    ran. Any number of workers may run it at once."""
    fail_exhausted_jobs()
    count = 0
    while run_next() is not None:
        count += 1
    return count
