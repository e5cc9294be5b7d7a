"""``flask jobs run``."""

import time

import click
from flask.cli import AppGroup

from api.jobs import services

jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("run")
@click.option("--once", is_flag=True, help="Run the queued jobs, then exit.")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between queue checks.")
def run_jobs(once: bool, poll: float) -> None:
    """Run queued jobs (forever, or until the queue is empty with --once)."""
    while True:
        count = services.run_pending()
        if count:
            click.echo(f"ran {count} job(s)")
        if once:
            return
        time.sleep(poll)
