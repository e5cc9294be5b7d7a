"""定时发布 in the embedded default: a timer queues the site build of the scheduled articles
whose moment has come (at scale: ``flask site publish-due`` from cron)."""

import logging
import threading

from flask import Flask

from api.articles import services

log = logging.getLogger(__name__)


def start_publishing_thread(app: Flask, poll_seconds: float = 60.0,
                            stop: threading.Event | None = None) -> threading.Thread:
    """Every ``poll_seconds``, queue the build of the articles that came due (a daemon
    thread of this process); setting ``stop`` ends it."""
    stop = stop or threading.Event()

    def work() -> None:
        while not stop.wait(poll_seconds):
            try:
                with app.app_context():
                    services.queue_due_builds(services.store_for(app.config["CONTENT_DIR"]))
            except Exception:
                log.exception("scheduled publishing pass failed; retrying")

    thread = threading.Thread(target=work, name="scheduled-publishing", daemon=True)
    thread.start()
    return thread
