"""What the HTML shells of ``/app/`` and ``/admin/`` share: the optional API routes present in
this app, the content-hash version of their static files, the shell's response with its
security headers, and a static file served under a version.

Cache headers: a shell is revalidated on every visit (``no-cache``); a static file under the
current version is immutable for a year, under an old one it is revalidated.
"""

import hashlib
from pathlib import Path

from flask import Response, current_app, send_from_directory

ONE_YEAR = 365 * 24 * 3600
# The pages load nothing from another origin; the API's search snippets are HTML, so the
# policy is the second line of defence behind the API's escaping.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def present_routes(features: dict[str, str]) -> dict[str, bool]:
    """For each feature (name: the API route it needs), whether this app registers the route."""
    rules = {rule.rule for rule in current_app.url_map.iter_rules()}
    return {name: path in rules for name, path in features.items()}


def static_version(*folders: tuple[Path, str]) -> str:
    """A short hash of the names and contents of every file below the folders, each given
    with the prefix its files' URLs carry (so that a file moved between folders counts)."""
    digest = hashlib.sha256()
    for root, prefix in folders:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                digest.update((prefix + path.relative_to(root).as_posix()).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def shell_response(html: str) -> Response:
    """A rendered shell: revalidated on every visit, under the pages' security headers."""
    response = Response(html, mimetype="text/html")
    response.cache_control.no_cache = True
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def versioned_file(directory: Path, filename: str, current: bool) -> Response:
    """A static file below ``directory``: immutable for a year when asked for under the
    current version (``current``), revalidated when asked for under an old one."""
    response = send_from_directory(directory, filename, max_age=ONE_YEAR if current else None)
    if current:
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.immutable = True
    else:
        response.cache_control.no_cache = True
        response.cache_control.public = None
        response.cache_control.max_age = None
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
