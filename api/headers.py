"""Security headers on every response: API, content site and web pages alike.

A view that sets its own ``Content-Security-Policy`` (the web pages, the site) keeps it;
``frame-ancestors 'none'`` is added where it says nothing about framing. Cross-origin
requests get no CORS headers: the pages and the API share one origin, and the mini-program
is not a browser.
"""

from flask import Flask, Response

FRAME_ANCESTORS = "frame-ancestors 'none'"
#: Sent where the response does not say otherwise.
DEFAULTS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
)
_POLICY = "Content-Security-Policy"


def secure_headers(response: Response) -> Response:
    """Add nosniff, a referrer policy and a framing ban where the response has none."""
    headers = response.headers
    # One pass over the response's headers, not one per header looked up: this runs on every
    # answer, cached public reads included.
    present: dict[str, str] = {}
    for name, value in headers.items():
        present.setdefault(name.lower(), value)  # the first of a name, as ``headers.get``
    for name, value in DEFAULTS:
        if name.lower() not in present:
            headers.add(name, value)
    policy = present.get(_POLICY.lower(), "").strip().rstrip(";")
    if "frame-ancestors" not in policy:
        headers[_POLICY] = f"{policy}; {FRAME_ANCESTORS}" if policy else FRAME_ANCESTORS
    return response


def install(app: Flask) -> None:
    """Send the security headers on every response of ``app``."""
    app.after_request(secure_headers)
