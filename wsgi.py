"""The WSGI entry point: ``flask --app wsgi run`` or ``gunicorn --preload wsgi:app``."""

from api import create_app
from api.articles.scheduling import start_publishing_thread
from api.jobs.services import start_worker_thread
from api.notifications.outbox import start_outbox_thread

app = create_app()

if app.config["JOBS_WORKER"] == "thread":
    # The embedded default runs background jobs in this process; at scale set
    # JOBS_WORKER=external and run `flask jobs run` as its own process.
    start_worker_thread(app)
    # Reminders and retries come due with time, not with a request: a timer pass of the
    # outbox (at scale: `flask notifications run`).
    start_outbox_thread(app)
    # Scheduled articles (定时发布) go online when their moment comes, by a timer too.
    start_publishing_thread(app)
