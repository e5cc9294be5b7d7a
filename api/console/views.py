"""The ``/admin/`` routes: one HTML shell per screen and the versioned static files.

The shell is the same for every screen: the left nav is drawn in the browser from the
screens the signed-in person's roles allow (``screens.py``), then the screen's module
renders into ``#main``. Static files are served under a content-hash path, immutable for a
year; ``/admin/static/<version>/web/...`` serves the ``/app/`` files (``api.js``, ``ui.js``,
``forms.js``, ``app.css``) so that both consoles share one copy of them.
"""

from pathlib import Path

from flask import Blueprint as FlaskBlueprint
from flask import Response, abort, current_app, render_template, url_for
from flask_smorest import Blueprint

from api.activities.vocabulary import AUDIENCES, THEMES
from api.console.screens import CONSOLE_ROLES, GROUPS, SCREENS, SCREENS_BY_KEY, Screen
from api.units.categories import TEAM_CATEGORIES
from api.web.shell import present_routes, shell_response, static_version, versioned_file
from api.web.views import STATIC_DIR as WEB_STATIC_DIR

# A flask-smorest blueprint only so that the API registers it with the others; the pages
# stay out of the OpenAPI document (Flask's add_url_rule, see the end).
blp = Blueprint(
    "console", __name__, url_prefix="/admin", template_folder="templates", description="管理后台"
)

STATIC_DIR = Path(__file__).resolve().parent / "static" / "console"
SCREEN_DIR = STATIC_DIR / "js" / "screens"
WEB_PREFIX = "web/"
# Optional API routes the console adapts to (present when their helper's branch is merged).
FEATURES: dict[str, str] = {
    "logout": "/api/v1/auth/logout",
    "users": "/api/v1/users",
}


def _state() -> dict:
    """Per-app facts computed once: the static version, built screens, optional routes."""
    state = current_app.extensions.setdefault("console", {})
    if not state or current_app.debug:
        state["features"] = present_routes(FEATURES)
        state["version"] = static_version((STATIC_DIR, ""), (WEB_STATIC_DIR, WEB_PREFIX))
        state["built"] = {
            screen.key for screen in SCREENS if (SCREEN_DIR / f"{screen.module}.js").is_file()
        }
    return state


def static_url(filename: str) -> str:
    """The cache-forever URL of a console static file (``web/...``: an ``/app/`` file)."""
    return url_for("console.static_file", version=_state()["version"], filename=filename)


def _screen_entry(screen: Screen, built: set[str]) -> dict:
    return {
        "key": screen.key,
        "label": screen.label,
        "group": screen.group,
        "roles": list(screen.roles),
        "nav": screen.nav,
        "href": url_for("console.home")
        if screen.key == "home"
        else url_for("console.screen", key=screen.key),
        "module": static_url(f"js/screens/{screen.module}.js") if screen.key in built else None,
    }


def _render(screen: Screen) -> Response:
    state = _state()
    client_config = {
        "screen": screen.key,
        "screens": [_screen_entry(entry, state["built"]) for entry in SCREENS],
        "groups": list(GROUPS),
        "consoleRoles": list(CONSOLE_ROLES),
        "features": state["features"],
        "themes": THEMES,
        "categories": TEAM_CATEGORIES,
        "audiences": list(AUDIENCES),
        "static": static_url(""),
    }
    html = render_template(
        "console/shell.html", screen=screen, static_url=static_url, client_config=client_config
    )
    return shell_response(html)


def home():
    """The console's start: what the signed-in staff member can do here."""
    return _render(SCREENS_BY_KEY["home"])


def screen(key: str):
    """One console screen (the shell; its module draws it)."""
    found = SCREENS_BY_KEY.get(key)
    if found is None or found.key == "home":
        abort(404)
    return _render(found)


def static_file(version: str, filename: str):
    """A static file; immutable under the current version, revalidated under an old one."""
    if filename.startswith(WEB_PREFIX):
        directory, filename = WEB_STATIC_DIR, filename[len(WEB_PREFIX) :]
    else:
        directory = STATIC_DIR
    return versioned_file(directory, filename, current=version == _state()["version"])


for _rule, _endpoint, _view in (
    ("/", "home", home),
    ("/<key>", "screen", screen),
    ("/static/<version>/<path:filename>", "static_file", static_file),
):
    FlaskBlueprint.add_url_rule(blp, _rule, _endpoint, _view)
