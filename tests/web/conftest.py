"""Browser tests of the ``/app/`` pages: Playwright (sync API) drives Debian's Chromium
against the app behind ``live_server``.

One browser per session; each test gets a fresh context (a phone: 360×740, zh-CN,
Asia/Shanghai) in which every request is routed: those for the live server go through,
anything else is aborted and fails the test. Screenshots go to ``artifacts/screenshots/``.
"""

import json
import shutil
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from api.auth import web_session
from api.auth.tokens import start_session
from api.timeutil import LOCAL_TZ, to_local, utcnow
from publishing.frontmatter import CATEGORIES
from publishing.sitebuild import build_site
from tests.browser import CHROMIUM, LAUNCH_ARGS  # noqa: F401  (the shared browser)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
PHONE = {"width": 360, "height": 740}
TIMEOUT_MS = 8000


class Traffic:
    """Every request of a browser context: the live server's pass, all others are refused."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.requests = []
        self.refused: list[str] = []
        self.page_errors: list[str] = []

    def route(self, route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()

    def observe(self, request) -> None:
        self.requests.append(request)

    def outside(self) -> list[str]:
        """URLs requested anywhere but 127.0.0.1 (data: and blob: URLs are local)."""
        return [
            request.url
            for request in self.requests
            if not request.url.startswith(("data:", "blob:"))
            and urlsplit(request.url).hostname != "127.0.0.1"
        ] + self.refused

    def transferred_bytes(self) -> int:
        """Bytes of every finished response: headers plus the body as sent."""
        total = 0
        for request in self.requests:
            if request.url.startswith(("data:", "blob:")) or request.response() is None:
                continue
            sizes = request.sizes()
            total += sizes["responseHeadersSize"] + sizes["responseBodySize"]
        return total


class Browsing(SimpleNamespace):
    """A phone-sized page on the live server, with helpers."""

    def open(self, path: str):
        self.page.goto(self.base_url + path)
        return self.page

    def shot(self, name: str) -> Path:
        """A 360×740 screenshot of what the page shows now."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.wait_until_loaded()
        # A toast would hide what the page shows; the tests check the toasts' effects.
        self.page.evaluate("document.querySelectorAll('.toast').forEach((t) => t.remove())")
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), animations="disabled")
        return path

    def wait_until_loaded(self) -> None:
        """No loading state left on the page."""
        self.page.wait_for_function(
            "() => !document.querySelector('.state-loading')", timeout=TIMEOUT_MS
        )

    def sign_in(self, user) -> None:
        """Give the browser the session cookies of ``user``, as a sign-in on the pages does."""
        issued = start_session(user)
        cookies = {
            web_session.ACCESS_COOKIE: (issued.token, True, "/"),
            web_session.REFRESH_COOKIE: (issued.refresh_token, True, web_session.REFRESH_PATH),
            web_session.CSRF_COOKIE: (web_session.csrf_token(issued.session_id), False, "/"),
        }
        self.context.add_cookies(
            [
                {
                    "name": name,
                    "value": value,
                    "domain": "127.0.0.1",
                    "path": path,
                    "httpOnly": http_only,
                    "sameSite": "Lax",
                }
                for name, (value, http_only, path) in cookies.items()
            ]
        )


def _new_browsing(browser, base_url: str, **context_options) -> Browsing:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    options = {
        "viewport": PHONE,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "accept_downloads": True,
        "service_workers": "block",
    }
    options.update(context_options)
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    traffic = Traffic(base_url)
    context.route("**/*", traffic.route)
    context.on("request", traffic.observe)
    page = context.new_page()
    page.on("pageerror", lambda error: traffic.page_errors.append(str(error)))
    return Browsing(page=page, context=context, traffic=traffic, base_url=base_url)


@pytest.fixture
def browse(browser, live_server):
    """Factory: a fresh phone context on the live server (more than one for two people).

    At the end: no request left 127.0.0.1 and no page script failed."""
    opened: list[Browsing] = []

    def open_context(**context_options) -> Browsing:
        browsing = _new_browsing(browser, live_server, **context_options)
        opened.append(browsing)
        return browsing

    yield open_context
    for browsing in opened:
        browsing.context.close()
    for browsing in opened:
        assert browsing.traffic.outside() == [], "a request left 127.0.0.1"
        assert browsing.traffic.page_errors == [], "a page script failed"


@pytest.fixture
def web(browse) -> Browsing:
    """One phone context on the live server."""
    return browse()


def local_datetime(day, hour: int, minute: int = 0) -> datetime:
    """A local (Asia/Shanghai) time of ``day``, as the UTC datetime models store."""
    return datetime.combine(day, time(hour, minute), LOCAL_TZ).astimezone(UTC)


@pytest.fixture
def tomorrow():
    """Tomorrow's date in China."""
    return to_local(utcnow()).date() + timedelta(days=1)


@pytest.fixture
def activity_on(create_activity):
    """Factory: a published activity on a local day, 09:00–11:00 unless told otherwise."""

    def create(day, start_hour: int = 9, hours: int = 2, **overrides):
        starts_at = local_datetime(day, start_hour)
        return create_activity(
            starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), **overrides
        )

    return create


@pytest.fixture(scope="session")
def page_weights():
    """Bytes transferred by first page loads, written to ``artifacts/page-weights.json``."""
    weights: dict[str, int] = {}
    yield weights
    if weights:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "page-weights.json").write_text(json.dumps(weights, indent=2) + "\n")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The content site's pages (without the articles, to build quickly), built once."""
    root = tmp_path_factory.mktemp("web-site")

    def only_section_pages(folder: str, names: list[str]) -> set[str]:
        if folder.rstrip("/").rsplit("/", 1)[-1] in CATEGORIES:
            return {name for name in names if name != "index.md"}
        return set()

    shutil.copytree(PROJECT_ROOT / "content", root / "content", ignore=only_section_pages)
    build_site(PROJECT_ROOT, root / "site", docs_dir=root / "content")
    return root / "site"


@pytest.fixture
def with_site(make_app, built_site):
    """Serve the built site at ``/``."""
    make_app(SITE_DIR=built_site)
