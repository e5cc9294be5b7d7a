"""The Huey instance of an app and the registration of its tasks.

Huey registers tasks on an instance; each app builds its own from its configuration (the
storage differs between a development machine, a county's servers and the tests), and
every task runs its function inside an app context of that app, with its own database
session, removed when the task ends.
"""

import functools
import logging
from collections.abc import Callable

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab

from api.tasks.schedule import TASKS

log = logging.getLogger(__name__)
_EXTENSION = "tasks"


def build_huey(config) -> Huey:
    """The Huey of ``TASK_QUEUE``: ``sqlite`` (a file, one machine), ``redis`` (workers on
    several machines share it), ``memory`` (tests: nothing runs) or ``immediate`` (tests:
    a task runs where it is enqueued)."""
    kind = config["TASK_QUEUE"]
    common = {"name": config["HUEY_NAME"], "results": False, "utc": True}
    if kind == "redis":
        return RedisHuey(url=config["REDIS_URL"], **common)
    if kind == "sqlite":
        return SqliteHuey(filename=config["HUEY_SQLITE_PATH"], **common)
    if kind == "memory":
        return MemoryHuey(**common)
    if kind == "immediate":
        return MemoryHuey(immediate=True, **common)
    raise RuntimeError(f"TASK_QUEUE must be sqlite, redis, memory or immediate, not {kind!r}")


def _in_app_context(app: Flask, name: str, function: Callable[[], object]) -> Callable[[], None]:
    @functools.wraps(function)
    def run() -> None:
        with app.app_context():  # its own database session, removed at the end
            outcome = function()
        if outcome:
            log.info("task %s: %s", name, outcome)

    return run


class TaskQueue:
    """The Flask extension: ``task_queue.init_app(app)`` builds the app's Huey and
    registers every task of :data:`api.tasks.schedule.TASKS` on it."""

    def init_app(self, app: Flask) -> None:
        huey = build_huey(app.config)
        wrappers = {}
        for task in TASKS:
            run = _in_app_context(app, task.name, task.function)
            if task.schedule is None:
                wrappers[task.name] = huey.task(name=task.name)(run)
            else:
                wrappers[task.name] = huey.periodic_task(crontab(**task.schedule), name=task.name)(
                    run
                )
        app.extensions[_EXTENSION] = {"huey": huey, "tasks": wrappers}

    @staticmethod
    def huey(app: Flask | None = None) -> Huey:
        """The Huey of ``app`` (default: the current app)."""
        return (app or current_app).extensions[_EXTENSION]["huey"]

    @staticmethod
    def enqueue(name: str, app: Flask | None = None) -> None:
        """Queue one run of the task ``name`` (in immediate mode: run it now)."""
        (app or current_app).extensions[_EXTENSION]["tasks"][name]()


task_queue = TaskQueue()
