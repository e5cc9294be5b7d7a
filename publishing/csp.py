"""The content site's Content-Security-Policy: no inline script runs but the few MkDocs
Material writes itself (``__md_scope``, the tab restore), allowed by their SHA-256 hashes.

The build computes the hashes (``mkdocs_hooks/articles.py`` ``on_post_build``) and writes them
to ``HASHES_FILE`` in the built site; the server reads that file of the build it serves, so a
theme upgrade that changes those scripts needs no code change. An injected script has no
listed hash and does not run; neither do event-handler attributes. Pure module: the MkDocs
hook imports it without the app.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import re
from pathlib import Path

HASHES_FILE = "csp-script-hashes.json"
_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
_EXECUTABLE_TYPES = {"", "text/javascript", "application/javascript", "module"}


def inline_script_hashes(html: str) -> set[str]:
    """CSP sources (``'sha256-…'``) of the inline scripts a browser would run in ``html``."""
    found = set()
    for match in _SCRIPT.finditer(html):
        attrs = match.group("attrs")
        if re.search(r"\bsrc\s*=", attrs, re.I):
            continue
        kind = _TYPE.search(attrs)
        if (kind.group(1).lower() if kind else "") not in _EXECUTABLE_TYPES:
            continue  # data blocks such as Material's application/json config never run
        digest = hashlib.sha256(match.group("body").encode("utf-8")).digest()
        found.add(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return found


def write_hashes(site_dir: str | os.PathLike[str]) -> list[str]:
    """Hash the inline scripts of every page of a built site into ``HASHES_FILE``."""
    hashes: set[str] = set()
    for page in Path(site_dir).rglob("*.html"):
        hashes |= inline_script_hashes(page.read_text(encoding="utf-8"))
    listed = sorted(hashes)
    (Path(site_dir) / HASHES_FILE).write_text(json.dumps(listed) + "\n", encoding="utf-8")
    return listed


def site_policy(site_dir: str | os.PathLike[str]) -> str:
    """The policy of the pages of the build at ``site_dir`` (its hashes read once per build)."""
    path = os.path.join(os.path.realpath(site_dir), HASHES_FILE)
    try:
        version = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        version = None
    return _policy(path, version)


@functools.lru_cache(maxsize=8)
def _policy(path: str, version: int | None) -> str:
    hashes = json.loads(Path(path).read_text(encoding="utf-8")) if version is not None else []
    return "; ".join(
        [
            "default-src 'self'",
            " ".join(["script-src 'self'", *hashes]),
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
