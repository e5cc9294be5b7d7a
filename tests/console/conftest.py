"""Browser tests of the staff console ``/admin/``: the ``/app/`` tests' browser and traffic
guard (tests/web/conftest.py), at PC size (1366×768) by default, with axe-core injected.

axe-core is the ``/app/`` tests' copy from npm (``tests/web/axe.py``), added as an init script
(DevTools), so the pages' Content-Security-Policy is not relaxed; without it the axe checks
skip, or fail when ``CI=true``.
Screenshots go to ``artifacts/console-shots/`` (or ``CONSOLE_SHOTS``).
"""

import json
import os
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from api.timeutil import LOCAL_TZ, utcnow  # noqa: E402
from tests.web.axe import AXE, require_axe
from tests.web.conftest import (  # noqa: F401  (fixtures shared with the /app/ tests)
    ARTIFACTS,
    TIMEOUT_MS,
    Browsing,
    _new_browsing,
    local_datetime,
)

PC = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("CONSOLE_SHOTS", ARTIFACTS / "console-shots"))


class Console(Browsing):
    """A console page with helpers: sign in by password, wait, screenshot, axe."""

    def sign_in(self, username: str, password: str) -> None:
        page = self.page
        page.goto(self.base_url + "/admin/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.locator("#console-nav").wait_for(state="visible")

    def shot(self, name: str) -> Path:
        """A screenshot of what the page shows now (toasts removed)."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.wait_until_loaded()
        self.page.evaluate("document.querySelectorAll('.toast').forEach((t) => t.remove())")
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), animations="disabled", full_page=True)
        return path

    def axe_violations(self, impacts=("serious", "critical")) -> list[dict]:
        """axe-core's violations of those impacts on the page as it is now."""
        require_axe()
        self.wait_until_loaded()
        result = self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        return [
            {
                "id": item["id"],
                "impact": item["impact"],
                "nodes": [node["target"] for node in item["nodes"]][:5],
            }
            for item in result
            if item["impact"] in impacts
        ]


@pytest.fixture
def console(browser, live_server):  # the session's one browser (tests/browser.py)
    """Factory: a fresh browser context on the console, PC-sized unless told otherwise
    (``console(phone=True)``). At the end: nothing left 127.0.0.1, no script failed."""
    opened: list[Console] = []

    def open_context(phone: bool = False) -> Console:
        options = {
            "viewport": PHONE if phone else PC,
            "device_scale_factor": 1,
            "is_mobile": phone,
            "has_touch": phone,
        }
        browsing = _new_browsing(browser, live_server, **options)
        if AXE.is_file():  # else axe_violations() skips (fails in CI)
            browsing.context.add_init_script(path=str(AXE))
        opened.append(browsing)
        return Console(**vars(browsing))

    yield open_context
    for browsing in opened:
        browsing.context.close()
    for browsing in opened:
        assert browsing.traffic.outside() == [], "a request left 127.0.0.1"
        assert browsing.traffic.page_errors == [], "a page script failed"


@pytest.fixture(scope="session")
def console_weights():
    """Bytes of HTML+JS+CSS of each screen's first load, to ``artifacts/console-weights.json``."""
    weights: dict[str, int] = {}
    yield weights
    if weights:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "console-weights.json").write_text(json.dumps(weights, indent=2) + "\n")


@pytest.fixture
def app_settings():
    """The console's screens do not search: publishing skips the index (and jieba's load)."""
    return {"SEARCH_AUTO_INDEX": False}


@pytest.fixture
def morning():
    """Tomorrow (in China, by the real clock) at 08:00 local time, as UTC. Tests freeze
    the app clock there: the browser checks a token's expiry against its real clock, so the
    app's clock must stay near it."""
    local = utcnow().astimezone(LOCAL_TZ) + timedelta(days=1)
    return local.replace(hour=8, minute=0, second=0, microsecond=0).astimezone(UTC)
