"""``/healthz`` (the process answers), ``/readyz`` (it can serve: database, queue, search
index and site all present) and ``/metrics`` (Prometheus; nginx lets only localhost in)."""

from __future__ import annotations

import os

from flask import Flask, current_app
from sqlalchemy import text

from api.articles.services import site_dir
from api.extensions import db
from api.metrics import exposition
from api.tasks.queue import task_queue
from search.store import CURRENT


def _database() -> bool:
    """Ping on a connection of its own, not the request's session: a failed ping then leaves
    nothing to roll back (the connection is closed on the way out, and the pool drops it if it
    is broken), and a read-only check opens no unit of work."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def _queue() -> bool:
    try:
        task_queue.huey().pending_count()
        return True
    except Exception:
        return False


def _search_index() -> bool:
    return os.path.isdir(os.path.join(current_app.config["SEARCH_INDEX_DIR"], CURRENT))


def _site() -> bool:
    return os.path.isfile(os.path.join(site_dir(), "index.html"))


CHECKS = {"database": _database, "queue": _queue, "search_index": _search_index, "site": _site}


def healthz():
    """Report that the process is alive (touches nothing)."""
    return {"status": "ok"}


def readyz():
    """Report whether every part the app serves from is present; 503 names the missing."""
    results = {name: "ok" if check() else "unavailable" for name, check in CHECKS.items()}
    failed = sorted(name for name, result in results.items() if result != "ok")
    body = {"status": "unavailable" if failed else "ok", "checks": results, "failed": failed}
    return body, 503 if failed else 200


def metrics():
    """The Prometheus metrics."""
    return exposition()


def install(app: Flask) -> None:
    """Add the three routes to ``app``."""
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/readyz", "readyz", readyz)
    app.add_url_rule("/metrics", "metrics", metrics)
