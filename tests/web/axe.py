"""axe-core for the browser tests of ``/app/`` and ``/admin/``: one copy, from its npm
package pinned in ``tests/web/package.json`` (``npm ci --prefix tests/web``).

It is injected with Playwright's init script (DevTools), so the pages' Content-Security-Policy
stays as served. Without it the accessibility checks skip on a developer's machine and fail in
CI (``CI=true``), where a skipped accessibility test would pass unseen.
"""

import os
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
MISSING = "axe-core is not installed: npm ci --prefix tests/web"


def require_axe() -> Path:
    """The path of ``axe.min.js``; skips the test without it (fails it when ``CI=true``)."""
    if not AXE.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    return AXE
