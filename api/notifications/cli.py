"""``flask notifications run`` and ``flask notifications status``."""

import time

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from api.extensions import db
from api.notifications.models import Notification
from api.notifications.outbox import run_outbox

notifications_cli = AppGroup("notifications", help="The notification outbox.")


@notifications_cli.command("run")
@click.option("--once", is_flag=True, help="Do one pass (reminders, then due sends), then exit.")
@click.option("--poll", default=30.0, show_default=True, help="Seconds between passes.")
def run(once: bool, poll: float) -> None:
    """Deliver the outbox to WeChat and write due reminders (forever, or once)."""
    while True:
        report = run_outbox()
        if any(report.as_dict().values()) or once:
            click.echo(" ".join(f"{name}={count}" for name, count in report.as_dict().items()))
        if once:
            return
        time.sleep(poll)


@notifications_cli.command("status")
def status() -> None:
    """Count the outbox's notifications by delivery status."""
    counts = db.session.execute(
        select(Notification.status, func.count())
        .group_by(Notification.status)
        .order_by(Notification.status)
    ).all()
    for name, count in counts:
        click.echo(f"{name}\t{count}")
    if not counts:
        click.echo("the outbox is empty")
