"""``flask search rebuild``."""

import click
from flask.cli import AppGroup

from api.searching import services

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("rebuild")
def rebuild_command() -> None:
    """Rebuild the index of activities and articles in a fresh directory and swap it in."""
    total = services.expected_document_count()
    with click.progressbar(length=total, label="Indexing", show_pos=True) as bar:
        done_so_far = 0

        def advance(done: int) -> None:
            nonlocal done_so_far
            bar.update(done - done_so_far)
            done_so_far = done

        count = services.rebuild(progress=advance)
    click.echo(f"Indexed {count} documents.")
