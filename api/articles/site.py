"""The built site at ``/`` (the embedded default; at scale nginx serves ``site/``) and
``flask site build``.

``SITE_DIR`` is a symlink that each build swaps (``sitebuild``); every request resolves it anew,
so a new build is served from the next request on, and a failed one never is. Cache headers:
HTML must be revalidated (``no-cache`` with ETag/Last-Modified), Material's fingerprinted
assets are immutable for a year, anything else may be cached for an hour. Every answer carries
the build's Content-Security-Policy (``publishing.csp``): no inline script but Material's
own, hashed at build time, and ``frame-ancestors 'none'``.
"""

import os
import re

import click
from flask import Blueprint as FlaskBlueprint
from flask import Response, abort, current_app, redirect, request, send_from_directory
from flask_smorest import Blueprint
from werkzeug.routing import PathConverter
from werkzeug.security import safe_join

from api.articles import services
from publishing import csp
from publishing.sitebuild import SiteBuildError

# A flask-smorest blueprint only so that the API registers it with the others; its routes are
# not an API and stay out of the OpenAPI document (Flask's add_url_rule, see the end).
site_blp = Blueprint("site", __name__, cli_group="site", description="内容站点")

ONE_HOUR = 3600
ONE_YEAR = 365 * 24 * 3600
_FINGERPRINTED = re.compile(r"\.[0-9a-f]{8,}\.min\.(?:js|css)(?:\.map)?$")
# mkdocs.yml's site_url when SITE_URL is unset: the sitemap and robots.txt then name the
# host the request came to instead (set SITE_URL wherever nginx serves site/ itself).
BUILD_DEFAULT_URL = "http://localhost:5000/"
_ADDRESSED = ("sitemap.xml", "robots.txt")


def serve_site(path: str = ""):
    """Serve a file of the built site; ``/api/...`` never falls through to it."""
    if path == "api" or path.startswith("api/"):
        abort(404)
    root = str(services.site_dir())
    target = safe_join(root, path)
    if target is None:
        abort(404)
    if os.path.isdir(target):
        if path and not path.endswith("/"):
            query = f"?{request.query_string.decode()}" if request.query_string else ""
            return redirect(f"/{path}/{query}", code=308)
        path = f"{path}index.html"
        target = os.path.join(target, "index.html")
    if not os.path.isfile(target):
        return _not_found(root)
    if path in _ADDRESSED and not current_app.config.get("SITE_URL"):
        return _at_this_host(target, path)
    response = send_from_directory(root, path)
    _cache_headers(response, path)
    response.headers["Content-Security-Policy"] = csp.site_policy(root)
    return response


def _at_this_host(target: str, path: str) -> Response:
    """The sitemap or robots.txt of a build without SITE_URL, at the request's own host."""
    with open(target, encoding="utf-8") as file:
        body = file.read().replace(BUILD_DEFAULT_URL, request.host_url)
    mimetype = "application/xml" if path.endswith(".xml") else "text/plain"
    response = Response(body, mimetype=mimetype)
    _cache_headers(response, path)
    return response


def _cache_headers(response, path: str) -> None:
    response.headers["X-Content-Type-Options"] = "nosniff"
    if path.endswith(".html"):
        response.cache_control.no_cache = True
        response.cache_control.public = True
    elif _FINGERPRINTED.search(path):
        response.cache_control.public = True
        response.cache_control.max_age = ONE_YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.public = True
        response.cache_control.max_age = ONE_HOUR


def _not_found(root: str):
    """The site's 404 page for browsers, the JSON error envelope for everyone else."""
    if request.accept_mimetypes.accept_html and os.path.isfile(os.path.join(root, "404.html")):
        response = send_from_directory(root, "404.html", conditional=False)
        response.status_code = 404
        response.cache_control.no_cache = True
        response.headers["Content-Security-Policy"] = csp.site_policy(root)
        return response
    abort(404)


class SitePathConverter(PathConverter):
    """A path of the site: anything but ``api`` and what lies under it, so that the catch-all
    route never matches an API URL (a GET on a POST-only API route is a 405 whose ``Allow``
    names the API's methods, not a 404 of the site)."""

    regex = r"(?!api(?:/|$))[^/].*?"


site_blp.record_once(
    lambda state: state.app.url_map.converters.setdefault("site_path", SitePathConverter)
)
# flask-smorest's own add_url_rule would document the routes (and rename the second endpoint).
FlaskBlueprint.add_url_rule(site_blp, "/", "page", serve_site, defaults={"path": ""})
FlaskBlueprint.add_url_rule(site_blp, "/<site_path:path>", "page", serve_site)


@site_blp.cli.command("build")
@click.option(
    "--timeout",
    type=float,
    default=None,
    help="Seconds before the build is stopped (default: SITE_BUILD_TIMEOUT or 600).",
)
def build_command(timeout: float | None) -> None:
    """Build the content site into a fresh directory and swap it in when it succeeds."""
    if timeout is not None:
        current_app.config["SITE_BUILD_TIMEOUT"] = timeout
    with click.progressbar(length=1, label="构建站点", show_pos=True) as bar:

        def progress(done: int, total: int, message: str) -> None:
            if total:
                bar.length = total
                bar.update(done - bar.pos)
            else:
                click.echo(f"  {message}", err=True)

        try:
            result = services.rebuild_site(progress)
        except SiteBuildError as exc:
            raise click.ClickException(exc.message) from exc
    click.echo(
        f"站点已更新：{result.pages} 个页面，用时 {result.seconds:.1f} 秒，"
        f"版本 {result.build_id}，目录 {services.site_dir()}"
    )
