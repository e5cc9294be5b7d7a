"""``flask import corpus PATH``."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from api.corpus.activities import import_activities
from api.corpus.csvfile import CorpusRowError
from api.corpus.organisation import ImportCounts, import_teams, import_units
from publishing.importer import import_articles

import_cli = AppGroup("import", help="Import data from files.")


def import_corpus(corpus_dir: Path, echo=click.echo) -> dict[str, ImportCounts]:
    """Import every part of a corpus directory that the platform knows; returns counts by file.

    Units, teams and activities go to the database (all or nothing per file); articles are
    copied, cleaned, into their sections of ``CONTENT_DIR`` (a bad article is listed and
    skipped). Run ``flask site build`` and ``flask search rebuild`` afterwards.

    :raises CorpusRowError: for the first bad row of a CSV file (that file is not written).
    """
    results: dict[str, ImportCounts] = {}
    steps = (
        ("units.csv", import_units),
        ("teams.csv", import_teams),
        ("activities.csv", import_activities),
    )
    for name, importer in steps:
        results[name] = counts = importer(corpus_dir / name)
        echo(
            f"{name}: {counts.created} created, {counts.updated} updated, "
            f"{counts.unchanged} unchanged"
        )
    if (corpus_dir / "articles").is_dir():
        articles = import_articles(corpus_dir, current_app.config["CONTENT_DIR"])
        echo(
            f"articles/: {articles.created} created, {articles.updated} updated, "
            f"{articles.unchanged} unchanged, {len(articles.failed)} failed"
        )
        for file_name, reason in articles.failed:
            echo(f"  {file_name}: {reason}")
        results["articles"] = articles
    return results


@import_cli.command("corpus")
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
def import_corpus_command(path: Path | None) -> None:
    """Import units, teams (and what else the corpus holds) from PATH (default CORPUS_DIR)."""
    corpus_dir = path or Path(current_app.config["CORPUS_DIR"])
    if not corpus_dir.is_dir():
        raise click.UsageError(f"no corpus directory at {corpus_dir}")
    try:
        import_corpus(corpus_dir)
    except CorpusRowError as exc:
        raise click.ClickException(exc.message) from exc
