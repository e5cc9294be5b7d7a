"""Snapshots of JSON answers (a pytest plugin, loaded by the root conftest).

``snapshot(name, body)`` compares an answer with ``tests/snapshots/<name>.json`` after
normalising what changes from run to run: ids (``id`` and ``*_id``), moments and dates
(``*_at``, ISO timestamps), tokens, ETags and request ids become placeholders. A renamed,
removed or added field, or a changed value, fails the test with the difference.

Update the stored answers after an intended change with ``pytest --snapshot-update`` (or
``SNAPSHOT_UPDATE=1``) and review the diff of ``tests/snapshots/`` before committing it.
"""

import difflib
import json
import os
import re
from pathlib import Path

import pytest

SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshots"
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_VOLATILE_KEYS = {
    "token": "<token>",
    "refresh_token": "<token>",
    "request_id": "<request-id>",
    "etag": "<etag>",
}


def pytest_addoption(parser):
    parser.addoption(
        "--snapshot-update",
        action="store_true",
        default=False,
        help="rewrite tests/snapshots/*.json from the answers of this run",
    )


def normalise(value, key: str | None = None):
    """``value`` with its volatile parts replaced by placeholders (see the module)."""
    if isinstance(value, dict):
        return {name: normalise(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [normalise(item, key) for item in value]
    if value is None or isinstance(value, bool):
        return value
    if key is not None:
        if key == "id" or key.endswith("_id"):
            return "<id>" if isinstance(value, int) else value
        if key.endswith("_ids") and isinstance(value, int):
            return "<id>"
        if _VOLATILE_KEYS.get(key):
            return _VOLATILE_KEYS[key]
    if isinstance(value, str) and _MOMENT.match(value):
        return "<moment>"
    return value


class Snapshots:
    """Compare answers with the stored snapshots, or store them (``--snapshot-update``)."""

    def __init__(self, update: bool) -> None:
        self.update = update

    def __call__(self, name: str, body) -> None:
        path = SNAPSHOT_DIR / f"{name}.json"
        actual = json.dumps(normalise(body), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        if self.update:
            SNAPSHOT_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        if not path.is_file():
            pytest.fail(
                f"no snapshot {path.name}: run pytest with --snapshot-update "
                "(or SNAPSHOT_UPDATE=1) and commit tests/snapshots/"
            )
        expected = path.read_text(encoding="utf-8")
        if actual != expected:
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    actual.splitlines(keepends=True),
                    f"tests/snapshots/{path.name} (stored)",
                    "this answer",
                )
            )
            pytest.fail(
                f"the answer differs from its snapshot {path.name} (a field renamed, "
                "removed or added changes what the mini-program reads; if intended, "
                f"update with --snapshot-update):\n{diff}",
                pytrace=False,
            )


@pytest.fixture
def snapshot(request) -> Snapshots:
    """``snapshot(name, body)``: the JSON answer ``body`` equals ``tests/snapshots/<name>.json``
    once normalised (see :mod:`tests.snapshot`)."""
    update = request.config.getoption("--snapshot-update") or os.environ.get(
        "SNAPSHOT_UPDATE", ""
    ) not in ("", "0")
    return Snapshots(update)
