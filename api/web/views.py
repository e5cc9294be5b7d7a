"""The ``/app/`` pages: HTML shells, their versioned static files, and two small helpers
(an activity's one-event ``.ics`` and the check-in QR code as a URL).

Pages whose API is not part of this app (an optional domain not installed) answer 404 and
are left out of the tab bar. Cache headers: pages are revalidated on every visit
(``no-cache``); static files live under a content-hash path and are immutable for a year.
"""

import io
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import segno
from flask import Blueprint as FlaskBlueprint
from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_smorest import Blueprint

from api.accounts import web_oauth
from api.accounts.roles import ORGANIZER_ROLES
from api.activities.lookup import get_activity
from api.activities.vocabulary import THEMES
from api.errors import ApiError
from api.families.services import is_hidden_child
from api.feeds.ics import FeedEntry, render_calendar
from api.hours.certificates import get_certificate
from api.hours.totals import hours
from api.units.categories import TEAM_CATEGORIES
from api.urls import public_url
from api.web.shell import (
    CONTENT_SECURITY_POLICY,
    present_routes,
    shell_response,
    static_version,
    versioned_file,
)

# A flask-smorest blueprint only so that the API registers it with the others; the pages are
# not an API and stay out of the OpenAPI document (Flask's add_url_rule, see the end).
blp = Blueprint(
    "web", __name__, url_prefix="/app", template_folder="templates", description="移动网页"
)

STATIC_DIR = Path(__file__).resolve().parent / "static"
_TOKEN = re.compile(r"^[A-Za-z0-9_\-.]{1,500}$")


@dataclass(frozen=True)
class Page:
    endpoint: str
    title: str
    module: str
    tab: str
    feature: str = ""


@dataclass(frozen=True)
class Tab:
    name: str
    label: str
    endpoint: str
    feature: str = ""


# A feature is available when the API route it needs is registered in this app.
FEATURES: dict[str, str] = {
    "hours": "/api/v1/me/hours",
    "certificates": "/api/v1/me/certificates",
    "feeds": "/api/v1/me/calendar-feed",
    "checkin": "/api/v1/activities/<int:activity_id>/checkin-code",
    "search": "/api/v1/search",
    "help": "/api/v1/help-requests",
    "stats": "/api/v1/stats",
    "family": "/api/v1/me/family",
    "points": "/api/v1/me/points",
    "inbox": "/api/v1/me/inbox",
    "lookup": "/api/v1/hours/lookup",
}

TABS: tuple[Tab, ...] = (
    Tab("calendar", "活动", "web.calendar"),
    Tab("search", "搜索", "web.search", "search"),
    Tab("help", "我来帮", "web.help", "help"),
    Tab("stats", "数据", "web.stats", "stats"),
    Tab("me", "我的", "web.me"),
)

PAGES: dict[str, Page] = {
    page.endpoint: page
    for page in (
        Page("calendar", "活动日历", "calendar", "calendar"),
        Page("activity", "活动详情", "activity", "calendar"),
        Page("me", "我的", "me", "me"),
        Page("login", "登录", "login", "me"),
        Page("search", "搜索", "search", "search", "search"),
        Page("help", "我来帮", "help", "help", "help"),
        Page("stats", "数据", "stats", "stats", "stats"),
        Page("checkin", "扫码签到", "checkin", "me", "checkin"),
        Page("checkin_screen", "现场签到码", "checkin-screen", "me", "checkin"),
        Page("family", "家庭成员", "family", "me", "family"),
        Page("points", "爱心积分", "points", "me", "points"),
        Page("inbox", "消息", "inbox", "me", "inbox"),
        Page("lookup", "服务时长查询", "lookup", "me", "lookup"),
        Page("wechat_done", "微信登录", "wechat-done", "me"),
    )
}


def _state() -> dict:
    """Per-app facts computed once: the static files' version and the available features."""
    state = current_app.extensions.setdefault("web", {})
    if not state or current_app.debug:
        state["features"] = present_routes(FEATURES)
        state["version"] = static_version((STATIC_DIR, ""))
    return state


def static_url(filename: str) -> str:
    """The cache-forever URL of a static file of this version."""
    return url_for("web.static_file", version=_state()["version"], filename=filename)


def _demo_login() -> bool:
    """Offer the demo sign-in buttons where allowed (never in production), and only while
    the app talks to the stub rather than the real WeChat API."""
    return current_app.config["DEMO_LOGIN"] and "api.weixin.qq.com" not in current_app.config.get(
        "WECHAT_API_BASE", ""
    )


def _render(endpoint: str, **context) -> Response:
    page = PAGES[endpoint]
    features = _state()["features"]
    if page.feature and not features[page.feature]:
        abort(404)
    tabs = [tab for tab in TABS if not tab.feature or features[tab.feature]]
    client_config = {
        "themes": THEMES,
        "categories": TEAM_CATEGORIES,
        "features": features,
        "demoLogin": _demo_login(),
        "organizerRoles": ORGANIZER_ROLES,
        "hotline": current_app.config.get("HELP_HOTLINE", ""),
        "static": url_for("web.static_file", version=_state()["version"], filename=""),
    }
    html = render_template(
        "web/page.html",
        page=page,
        tabs=tabs,
        static_url=static_url,
        client_config=client_config,
        **context,
    )
    return shell_response(html)


def calendar():
    """The activity calendar: month, list, filters, near me."""
    return _render("calendar")


def activities():
    """The site's link to the activities (``/app/activities``): the calendar."""
    # The query string is data: passed to url_for, ``_method`` or ``_external`` would steer it.
    query = urlencode(list(request.args.items(multi=True)))
    return redirect(url_for("web.calendar") + (f"?{query}" if query else ""))


def activity(activity_id: int):
    """An activity: details, sign-up and cancel, add to calendar."""
    return _render("activity", activity_id=activity_id)


def me():
    """My sign-ups, hours, certificates and calendar feed."""
    return _render("me")


def login():
    """Sign in: the WeChat stub in the demo, staff by password."""
    return _render("login")


def search():
    """Search activities and articles."""
    return _render("search")


def help_requests():
    """我来帮: ask for help and follow the request."""
    return _render("help")


def stats():
    """The statistics dashboard."""
    return _render("stats")


def checkin():
    """A volunteer's check-in with the token of the venue's QR code (``?token=``)."""
    return _render("checkin")


def checkin_screen():
    """The organizer's screen with the rotating QR code."""
    return _render("checkin_screen")


def family():
    """家庭成员: a guardian's children, consent, their sign-ups, hours and certificates."""
    return _render("family")


def points():
    """爱心积分: balance, ledger, rewards, redeem, my codes as QR codes."""
    return _render("points")


def inbox():
    """My notifications."""
    return _render("inbox")


def lookup():
    """The public hours lookup by name and the last four digits."""
    return _render("lookup")


def certificate(code: str):
    """The human-readable target of a certificate's QR code: valid or not, masked details.

    Server-rendered without scripts, so it opens in any in-app browser (WeChat's included).
    """
    found, message = None, ""
    try:
        found = get_certificate(code)
    except ApiError as exc:
        message = exc.message
    if found is not None and is_hidden_child(found.user_id):
        found, message = None, "该证明持有人的信息已隐藏"
    html = render_template(
        "web/certificate.html",
        title="证明核验",
        static_url=static_url,
        certificate=found,
        message=message,
        snapshot=found.snapshot if found else None,
        total_hours=hours(found.total_minutes) if found else None,
    )
    response = Response(html, status=200 if found else 404, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def wechat_authorize():
    """Off to WeChat's web authorization (``?scope=base`` for a silent one), with a state
    remembered in a short-lived cookie of this browser."""
    state = web_oauth.new_state()
    target = web_oauth.authorize_url(
        public_url("web.wechat_done"), state, request.args.get("scope", "userinfo")
    )
    response = redirect(target)
    response.set_cookie(
        web_oauth.STATE_COOKIE,
        state,
        max_age=web_oauth.STATE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def wechat_done():
    """Where WeChat sends the browser back (``?code=&state=``): the page signs in by POST."""
    return _render("wechat_done")


def static_file(version: str, filename: str):
    """A static file; immutable under the current version, revalidated under an old one."""
    return versioned_file(STATIC_DIR, filename, current=version == _state()["version"])


def activity_ics(activity_id: int):
    """One activity as an iCalendar file, to add it to the phone's calendar."""
    found = get_activity(activity_id)
    body = render_calendar(found.title, [FeedEntry(found)])
    return Response(
        body,
        content_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="activity-{found.id}.ics"',
            "Cache-Control": "public, max-age=300",
        },
    )


def checkin_qr():
    """The QR code of a check-in URL, so a phone's camera opens the check-in page."""
    activity_id = request.args.get("activity", type=int)
    token = request.args.get("token", "")
    if activity_id is None or not _TOKEN.match(token):
        abort(404)
    target = public_url("web.checkin", activity=activity_id, token=token)
    buffer = io.BytesIO()
    segno.make_qr(target, error="m").save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        scale=1,
        border=2,
        title="签到二维码",
    )
    svg = buffer.getvalue().decode("utf-8")
    # A viewBox lets the image scale to any size on the screen, sharp.
    svg = re.sub(
        r'width="(\d+)" height="(\d+)"',
        r'viewBox="0 0 \1 \2" shape-rendering="crispEdges"',
        svg,
        count=1,
    )
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


for _rule, _endpoint, _view in (
    ("/", "calendar", calendar),
    ("/activities", "activities", activities),
    ("/activities/<int:activity_id>", "activity", activity),
    ("/activities/<int:activity_id>.ics", "activity_ics", activity_ics),
    ("/me", "me", me),
    ("/login", "login", login),
    ("/search", "search", search),
    ("/help", "help", help_requests),
    ("/stats", "stats", stats),
    ("/checkin", "checkin", checkin),
    ("/checkin/screen", "checkin_screen", checkin_screen),
    ("/checkin/qr.svg", "checkin_qr", checkin_qr),
    ("/family", "family", family),
    ("/points", "points", points),
    ("/inbox", "inbox", inbox),
    ("/lookup", "lookup", lookup),
    ("/certificates/<string:code>", "certificate", certificate),
    ("/auth/wechat", "wechat_authorize", wechat_authorize),
    ("/auth/wechat/done", "wechat_done", wechat_done),
    ("/static/<version>/<path:filename>", "static_file", static_file),
):
    FlaskBlueprint.add_url_rule(blp, _rule, _endpoint, _view)
