"""Run one strict MkDocs build in this process: ``python publishing/mkdocs_runner.py``.

``sitebuild.build_site`` starts it as a child process, so a build never holds the GIL of an API
worker, leaks nothing between builds, and can be killed on timeout. Unlike ``mkdocs build`` it
can also point the config at another ``docs_dir`` (tests and benchmarks build temporary content
with the project's theme and hooks). Exit status 0 on success, 1 with the reason on stderr.

It never imports ``api`` (the app factory imports Flask, SQLAlchemy and every blueprint:
seconds of start-up): the MkDocs hook needs only ``publishing``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def run(config_file: str, site_dir: str, docs_dir: str | None = None) -> None:
    """Build the site of ``config_file`` into ``site_dir`` (strict); raise on failure."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    overrides = {"site_dir": site_dir, "strict": True}
    if docs_dir:
        overrides["docs_dir"] = docs_dir
    config = load_config(config_file=config_file, **overrides)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config-file", required=True, help="mkdocs.yml of the site")
    parser.add_argument("--site-dir", required=True, help="empty directory to build into")
    parser.add_argument("--docs-dir", help="Markdown sources (default: docs_dir of the config)")
    args = parser.parse_args(argv)

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s - %(message)s"))
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(handler)
    mkdocs_log.setLevel(logging.INFO)

    from mkdocs.exceptions import Abort, MkDocsException

    try:
        run(args.config_file, args.site_dir, args.docs_dir)
    except (MkDocsException, Abort) as exc:
        print(f"ERROR - {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    # Run as a file, sys.path[0] is this folder; modules here must not shadow top-level ones.
    sys.path[0] = str(PROJECT_ROOT)
    sys.exit(main())
