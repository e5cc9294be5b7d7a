"""The platform's public URLs, from ``SITE_URL``: the ``Host`` header is never trusted.

Only a development machine without ``SITE_URL`` falls back to the host of the request
(production refuses to start without ``SITE_URL``).
"""

from flask import current_app, request, url_for


def public_base_url() -> str:
    """The public root URL, ending in ``/``."""
    configured = current_app.config.get("SITE_URL")
    return (configured or request.host_url).rstrip("/") + "/"


def public_url(endpoint: str, **values) -> str:
    """The absolute public URL of ``endpoint`` (``url_for`` on ``SITE_URL``)."""
    return public_base_url().rstrip("/") + url_for(endpoint, **values)
