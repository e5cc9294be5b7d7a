"""``flask help-requests ...``: operator commands of 我来帮."""

import click
from flask.cli import AppGroup

from api.help import ratings

help_cli = AppGroup("help-requests", help="我来帮 help requests.")


@help_cli.command("settle-ratings")
def settle_ratings() -> None:
    """Count requests left unrated for HELP_AUTO_RATE_DAYS as rated "satisfied"."""
    count = ratings.settle_overdue_ratings()
    click.echo(f"已默认满意 {count} 条求助")
