"""Wake the task queue after a commit that wrote outbox or job rows.

``after_flush`` notes which tasks the new rows need; ``after_commit`` enqueues them (the rows
are committed, so the task finds them); a rollback forgets them. A wake-up that fails
(Redis unreachable) is only logged: the rows are in the database, and the task's
every-minute sweep delivers them.
"""

import logging

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from api.jobs.models import Job
from api.notifications.models import Notification
from api.tasks.queue import task_queue
from api.tasks.schedule import DELIVER_OUTBOX, RUN_JOBS

log = logging.getLogger(__name__)
_PENDING = "tasks_to_wake"
_TASK_OF = ((Notification, DELIVER_OUTBOX), (Job, RUN_JOBS))


def _note_rows(session: Session, flush_context) -> None:
    for row in session.new:
        for model, task in _TASK_OF:
            if isinstance(row, model):
                session.info.setdefault(_PENDING, set()).add(task)


def _wake(session: Session) -> None:
    tasks = session.info.pop(_PENDING, None)
    if not tasks or not has_app_context():
        return
    for task in sorted(tasks):
        try:
            task_queue.enqueue(task, current_app._get_current_object())
        except Exception:  # committed rows wait for the sweep, at most a minute
            log.warning("task %s not woken; the periodic sweep will run it", task, exc_info=True)


def _forget(session: Session, previous_transaction) -> None:
    session.info.pop(_PENDING, None)


def install() -> None:
    """Listen to every session (idempotent)."""
    if not event.contains(Session, "after_flush", _note_rows):
        event.listen(Session, "after_flush", _note_rows)
        event.listen(Session, "after_commit", _wake)
        event.listen(Session, "after_soft_rollback", _forget)
