"""The platform's Flask application factory."""

from pathlib import Path

from flask import Flask, send_from_directory
from swagger_ui_bundle import swagger_ui_path
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from api import (
    cookieless,
    headers,
    health,
    logscrub,
    openapi_cache,
    openapi_contract,
    requestlog,
)
from api.auth import gate
from api.caching import public as public_cache
from api.config import Config, check_secrets
from api.errors import register_error_handlers
from api.extensions import api, db, limiter, migrate
from api.searching import freshness
from api.tasks import wakeup
from api.tasks.queue import task_queue
from api.validation import INT_MAX

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _blueprints() -> list:
    from api.accounts.views import blp as accounts
    from api.activities.views import blp as activities
    from api.articles.site import site_blp as site
    from api.articles.views import blp as articles
    from api.audit.views import blp as audit_log
    from api.checkin.views import blp as checkin
    from api.console.views import blp as console
    from api.families.views import blp as families
    from api.feeds.views import blp as feeds
    from api.help.views import blp as help_requests
    from api.hours.views import blp as hours
    from api.jobs.views import blp as jobs
    from api.notifications.views import blp as notifications
    from api.points.views import blp as points
    from api.searching.views import blp as search
    from api.signups.views import blp as signups
    from api.staff.views import blp as staff
    from api.stats.views import blp as stats
    from api.units.views import blp as units
    from api.web.views import blp as web

    return [
        accounts,
        units,
        activities,
        signups,
        checkin,
        hours,
        feeds,
        jobs,
        articles,
        site,
        search,
        notifications,
        help_requests,
        points,
        stats,
        web,
        staff,
        audit_log,
        console,
        families,
    ]


def _cli_commands() -> list:
    from api.accounts.cli import users_cli
    from api.backup.cli import backup_cli
    from api.corpus.cli import import_cli
    from api.help.cli import help_cli
    from api.jobs.cli import jobs_cli
    from api.notifications.cli import notifications_cli
    from api.points.cli import points_cli
    from api.searching.cli import search_cli
    from api.seed import seed_cli
    from api.tasks.cli import worker
    from api.wechat.cli import wechat_stub

    return [
        users_cli,
        import_cli,
        jobs_cli,
        notifications_cli,
        search_cli,
        seed_cli,
        wechat_stub,
        help_cli,
        points_cli,
        worker,
        backup_cli,
    ]


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` in a URL: an id the database's INTEGER columns can hold (32-bit on
    PostgreSQL); a larger one is a 404, never an overflow."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error envelope, CLI.

    Nothing here migrates, builds or indexes: those are ``flask`` commands.
    """
    logscrub.install()
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"), static_folder=None)
    app.url_map.converters["int"] = BoundedIntConverter
    app.config.from_object(Config())
    if test_config:
        app.config.update(test_config)
    check_secrets(app.config)
    app.json.ensure_ascii = False  # Chinese stays readable in responses and logs
    if app.config["TRUSTED_PROXIES"] > 0:
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from api import models  # noqa: F401  (every table on the metadata)

    requestlog.install(app)  # first: its after_request sees the final response
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    limiter.init_app(app)
    api.init_app(app)
    for blueprint in _blueprints():
        api.register_blueprint(blueprint)
    register_error_handlers(app)
    openapi_contract.complete(app, api)
    gate.install(app, api)  # after the document is complete: it reads each operation's security
    openapi_cache.install(app, api)
    headers.install(app)
    cookieless.install(app)
    freshness.install()
    public_cache.install(app)
    task_queue.init_app(app)
    wakeup.install()
    for command in _cli_commands():
        app.cli.add_command(command)

    @app.get("/api/v1/docs-assets/<path:filename>")
    def docs_assets(filename):
        """Swagger UI's files, served locally (no CDN)."""
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    health.install(app)

    return app
