"""``flask backup create PATH`` and ``flask backup restore PATH [--force]``."""

import click
from flask.cli import AppGroup

from api.backup.services import BackupError, create_backup, restore_backup

backup_cli = AppGroup("backup", help="Backups of the database and content/.")


@backup_cli.command("create")
@click.argument("path", type=click.Path(file_okay=False))
def create_command(path: str) -> None:
    """Back up the database (online) and content/ into the new directory PATH."""
    try:
        manifest = create_backup(path, progress=click.echo)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"backup at {path} (migration {manifest['migration_head']})")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already holds rows.")
def restore_command(path: str, force: bool) -> None:
    """Restore the backup at PATH (checksums, migration head and row counts verified)."""
    try:
        restore_backup(path, force=force, progress=click.echo)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo("restored")
