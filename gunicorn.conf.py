"""gunicorn's configuration: ``gunicorn -c gunicorn.conf.py`` (``./run serve`` does this).

Everything comes from the environment:

``GUNICORN_BIND``          address to listen on (default ``127.0.0.1:8000``)
``WEB_CONCURRENCY``        worker processes (default: 2 per core, at least 2)
``GUNICORN_WORKER_CLASS``  ``sync`` (default) or ``gthread``
``GUNICORN_THREADS``       threads per worker with ``gthread`` (default 4)
``GUNICORN_TIMEOUT``       seconds before a silent worker is restarted (default 60)

The app is loaded once in the master (``preload_app``), with the Chinese analysis (OpenCC,
the segmenter and its dictionary, pypinyin, the synonym and stop-word lists) warmed up, so
every forked worker shares it instead of loading its own. No database connection crosses a
fork: the master opens none, and each worker disposes of the engine it inherited.
"""

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
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"


def when_ready(server) -> None:
    """In the master, after the app was loaded and before any fork: load the analysis."""
    from search.analysis import warm_up

    warm_up()
    server.log.info("Chinese analysis loaded in the master (pid %s)", os.getpid())


def post_fork(server, worker) -> None:
    """In each new worker: drop the database connections inherited from the master."""
    from api.extensions import db

    app = worker.app.wsgi()
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)  # the master's connections stay the master's
