"""One JSON line per request, with a request id, and the latency metric.

The line holds the method, the route rule (``/api/v1/activities/<int:activity_id>``: never
the raw path or its query string, which may carry a token or a code), the status, the
duration in milliseconds and the request id: the client's ``X-Request-ID`` (nginx sets one)
when it looks like an id, else a new one; it is sent back in ``X-Request-ID``. No personal
data: no address, no user, no body. The record still goes through ``api.logscrub``.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, request

from api.metrics import observe_request

log = logging.getLogger("civpractice.requests")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
UNMATCHED = "<unmatched>"


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _ensure_handler() -> None:
    if not log.handlers:
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response):
    started = g.pop("request_started", None)
    if started is None:
        return response
    seconds = time.perf_counter() - started
    route = request.url_rule.rule if request.url_rule else UNMATCHED
    observe_request(request.method, route, response.status_code, seconds)
    response.headers["X-Request-ID"] = g.request_id
    if log.isEnabledFor(logging.INFO):
        line = json.dumps(
            {
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                "request_id": g.request_id,
            }
        )
        # The record made directly, not by log.info: that one walks the stack for the
        # caller's file and line (about a fifth of the line's cost), which the line never shows.
        # It is still made by the record factory, so api.logscrub still sees it.
        log.handle(log.makeRecord(log.name, logging.INFO, __file__, 0, line, None, None))
    return response


def install(app: Flask) -> None:
    """Log and time every request of ``app``."""
    _ensure_handler()
    app.before_request(_start)
    app.after_request(_finish)
