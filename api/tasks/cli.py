"""``flask worker``: the consumer of the task queue."""

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from api.tasks.queue import task_queue
from api.tasks.schedule import DELIVER_OUTBOX, RUN_JOBS


@click.command("worker")
@click.option(
    "--threads", type=int, default=None, help="Tasks run at once (default: WORKER_THREADS)."
)
@click.option(
    "--no-periodic", is_flag=True, help="Do not schedule the periodic tasks from this consumer."
)
@with_appcontext
def worker(threads: int | None, no_periodic: bool) -> None:
    """Run the task queue's consumer: deliveries, jobs and the periodic tasks (until
    Ctrl-C or SIGTERM, which let running tasks finish)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    huey = task_queue.huey()
    consumer = huey.create_consumer(
        workers=threads or current_app.config["WORKER_THREADS"],
        worker_type="thread",
        periodic=not no_periodic,
        check_worker_health=True,
    )
    click.echo(f"worker: {current_app.config['TASK_QUEUE']} queue {huey.name!r}")
    # A sweep at start: what waited while no consumer ran (or a dead one left) goes now.
    for name in (DELIVER_OUTBOX, RUN_JOBS):
        task_queue.enqueue(name)
    consumer.run()
