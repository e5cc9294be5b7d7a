"""Security headers on every response: API, content site and web pages alike.

A view that sets its own ``Content-Security-Policy`` (the web pages, the site) keeps it;
``frame-ancestors 'none'`` is added where it says nothing about framing. Cross-origin
requests get no CORS headers: the pages and the API share one origin, and the mini-program
is not a browser.
"""

from flask import Flask, Response

FRAME_ANCESTORS = "frame-ancestors 'none'"


def secure_headers(response: Response) -> Response:
    """Add nosniff, a referrer policy and a framing ban where the response has none."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    policy = headers.get("Content-Security-Policy", "").strip().rstrip(";")
    if "frame-ancestors" not in policy:
        headers["Content-Security-Policy"] = (
            f"{policy}; {FRAME_ANCESTORS}" if policy else FRAME_ANCESTORS
        )
    return response


def install(app: Flask) -> None:
    """Send the security headers on every response of ``app``."""
    app.after_request(secure_headers)
