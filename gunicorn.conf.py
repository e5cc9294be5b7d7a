"""gunicorn's configuration: ``gunicorn -c gunicorn.conf.py`` (``./run serve`` does this).

Everything comes from the environment:

``GUNICORN_BIND``          address to listen on (default ``127.0.0.1:8000``)
``WEB_CONCURRENCY``        worker processes (default: 2 per core, at least 2)
``GUNICORN_WORKER_CLASS``  ``sync`` (default) or ``gthread``
``GUNICORN_THREADS``       threads per worker with ``gthread`` (default 4)
``GUNICORN_TIMEOUT``       seconds before a silent worker is restarted (default 60)

The app is loaded once in the master (``preload_app``), and ``wsgi.py`` warms search up there
(the Chinese analysis: OpenCC, the segmenter and its dictionary, pypinyin, the synonym and
stop-word lists; and the index's per-segment columns), so every forked worker shares it
instead of loading its own. No database connection crosses a
fork: the master opens none, and each worker disposes of the engine it inherited.
"""

import gc
import os

wsgi_app = "wsgi:app"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, 2 * (os.cpu_count() or 1))))
# The app reads the same number (production refuses per-process rate-limit storage when
# more than one process serves), so say it before the preloaded app reads its settings.
os.environ["WEB_CONCURRENCY"] = str(workers)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "4" if worker_class == "gthread" else "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
preload_app = True
# The app writes one JSON line per request (``api.requestlog``); gunicorn's own access log
# only when asked for (GUNICORN_ACCESS_LOG=- or a file).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"


def pre_fork(server, worker) -> None:
    """Before each fork: the master's objects (the app, search's warmed-up analysis, ~400,000
    of them) go to the collector's permanent generation. A worker's full collection then
    walks only what the worker made itself, instead of pausing it 135-175 ms (a pause that
    set the p99 of a whole benchmark row), and leaves the shared pages unwritten."""
    gc.freeze()


def post_fork(server, worker) -> None:
    """In each new worker: drop the database connections inherited from the master."""
    from api.extensions import db

    app = worker.app.wsgi()
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)  # the master's connections stay the master's


# Prometheus metrics of several workers (``api.metrics``): each process writes its samples
# to files in this directory, and whichever worker answers /metrics adds them up. It must be
# set before the app imports prometheus_client (the preload below this file).
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    import tempfile

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="civpractice-metrics-")


def on_starting(server) -> None:
    """Before the first fork: forget the samples a previous run left in the directory."""
    from pathlib import Path

    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    for leftover in directory.glob("*.db"):
        leftover.unlink()


def child_exit(server, worker) -> None:
    """A worker ended: its live gauges no longer count (its counters and histograms do)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
