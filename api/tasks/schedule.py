"""Every task of the queue: what it runs and when (huey crontab, in UTC).

Each task is idempotent: it takes the time from the application clock, claims or
conditionally updates the rows that are due, and finds nothing to do when run twice. A
consumer on every machine may run the periodic ones; a second run is a no-op. Tasks that
are woken on demand (after a commit) are also periodic: the sweep catches any wake-up that
was lost (a consumer down, Redis unreachable at the commit).
"""

from collections.abc import Callable
from dataclasses import dataclass

from api.articles.scheduling import publish_due_articles
from api.help.escalation import escalate_waiting
from api.help.ratings import settle_overdue_ratings
from api.housekeeping import clean_up_builds_and_indexes
from api.jobs.services import run_pending
from api.notifications.outbox import run_outbox
from api.points.account import sync_all
from api.signups.no_shows import mark_no_shows
from api.stats.services import refresh_snapshots

DELIVER_OUTBOX = "outbox.deliver"
RUN_JOBS = "jobs.run"
EVERY_MINUTE = {"minute": "*"}
EVERY_TEN_MINUTES = {"minute": "*/10"}


@dataclass(frozen=True)
class Task:
    """A task: its name in the queue, the function it runs (in an app context; returns
    what to log), and its crontab fields (``None``: only when enqueued)."""

    name: str
    function: Callable[[], object]
    schedule: dict | None


def deliver_outbox() -> dict:
    """Write the reminders that came due, deliver the outbox, retry what may succeed."""
    return {name: count for name, count in run_outbox().as_dict().items() if count}


def run_jobs() -> dict:
    """Run the queued jobs (site builds, search entries) and those a dead worker left."""
    return {"jobs": run_pending()}


def settle_help_requests() -> dict:
    """Rate as satisfied what waited HELP_AUTO_RATE_DAYS; tell dispatchers what waits."""
    return {"auto_rated": settle_overdue_ratings(), "escalated": escalate_waiting()}


TASKS: tuple[Task, ...] = (
    Task(DELIVER_OUTBOX, deliver_outbox, EVERY_MINUTE),
    Task(RUN_JOBS, run_jobs, EVERY_MINUTE),
    Task("articles.publish_scheduled", publish_due_articles, EVERY_MINUTE),
    Task("signups.mark_no_shows", mark_no_shows, EVERY_TEN_MINUTES),
    Task("help.settle", settle_help_requests, EVERY_TEN_MINUTES),
    Task("points.sync", sync_all, EVERY_TEN_MINUTES),
    Task("stats.refresh", refresh_snapshots, EVERY_TEN_MINUTES),
    Task("housekeeping.clean_up", clean_up_builds_and_indexes, {"minute": "17", "hour": "19"}),
)
