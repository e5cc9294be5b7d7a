"""The one Chromium of a test session (a pytest plugin, loaded by the root conftest).

Playwright's sync API runs one event loop per thread: a second ``sync_playwright()`` in the
same process fails. So the browser fixture is defined here once, for the /app/ tests, the
console's and the site's alike, instead of in each folder's conftest.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Chromium, launched once; the tests skip where it or Playwright is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need Playwright: pip install -e '.[test]'")
    if not CHROMIUM.is_file():
        pytest.skip(
            f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium "
            "(or set CHROMIUM_PATH)"
        )
    manager = sync_playwright().start()
    try:
        chromium = manager.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True
        )
    except Exception as exc:
        manager.stop()
        pytest.skip(f"Chromium at {CHROMIUM} did not start: {exc}")
    yield chromium
    chromium.close()
    manager.stop()
