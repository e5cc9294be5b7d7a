"""``flask points ...``: operator commands of the points ledger."""

import click
from flask.cli import AppGroup

from api.points.account import sync_all

points_cli = AppGroup("points", help="爱心商家联盟 points.")


@points_cli.command("sync")
def sync() -> None:
    """Earn points for approved check-in hours, reverse voided ones, write down year-end
    expiries and refund redemptions past due (idempotent; run it on a timer)."""
    totals = sync_all()
    click.echo(" ".join(f"{name}={count}" for name, count in totals.items()))
