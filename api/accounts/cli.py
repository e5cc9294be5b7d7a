"""``flask users create``."""

import click
from flask.cli import AppGroup

from api.accounts import roles, services
from api.errors import ApiError

users_cli = AppGroup("users", help="Staff accounts.")


@users_cli.command("create")
@click.argument("username")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The password (asked for when omitted).",
)
@click.option(
    "--role", type=click.Choice(roles.ALL_ROLES), required=True, help="The role to grant."
)
@click.option(
    "--unit",
    "unit_code",
    default=None,
    help="Code of the unit the role covers (with its subtree), e.g. LY-JL.",
)
def create_user(username: str, password: str, role: str, unit_code: str | None) -> None:
    """Create a staff account USERNAME (or add a role to it and reset its password)."""
    if len(password) < 8:
        raise click.BadParameter("at least 8 characters", param_hint="--password")
    try:
        user = services.create_staff_user(username, password, role, unit_code)
    except ApiError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(
        f"user {user.username} (id {user.id}) has role {role}"
        + (f" on {unit_code}" if unit_code else "")
    )
