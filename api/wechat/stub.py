"""A local HTTP server that imitates the parts of the WeChat API the platform uses.

Run it with ``flask wechat-stub --port 8081`` and set ``WECHAT_API_BASE=http://127.0.0.1:8081``.
Any login code of letters, digits, ``-`` and ``_`` is accepted and always maps to the same
openid, so ``demo-volunteer`` signs in the same demo user every time. Some codes imitate
failures:

=================  =====================================
code               answer
=================  =====================================
``invalid*``       errcode 40029 (invalid code)
``rate-limited``   errcode 45011 (too frequent)
``busy``           errcode -1 (system busy)
``slow``           a valid answer after ``slow_seconds``
=================  =====================================
"""

import base64
import hashlib
import json
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

_CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def stub_openid(code: str) -> str:
    """The openid the stub answers for a login code (demo seeding uses it too)."""
    return "ostub" + hashlib.sha256(code.encode()).hexdigest()[:23]


class _StubHandler(BaseHTTPRequestHandler):
    server: "WeChatStubServer"

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        if self.server.verbose:
            super().log_message(format, *args)

    def _answer(self, payload: dict, status: int = 200) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - http.server naming
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if url.path == "/sns/jscode2session":
            self._answer(self.server.jscode2session(query))
        else:
            self._answer({"errcode": 404, "errmsg": "stub: unknown path"}, status=404)


class WeChatStubServer(ThreadingHTTPServer):
    """The stub server; :meth:`start_in_thread` serves it in the background (tests)."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, slow_seconds: float = 8.0,
                 verbose: bool = False) -> None:
        super().__init__((host, port), _StubHandler)
        self.slow_seconds = slow_seconds
        self.verbose = verbose
        self.calls: list[tuple[str, dict]] = []

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="wechat-stub", daemon=True)
        thread.start()
        return thread

    def jscode2session(self, query: dict) -> dict:
        """Answer like ``GET /sns/jscode2session``."""
        self.calls.append(("jscode2session", query))
        code = query.get("js_code", "")
        if query.get("grant_type") != "authorization_code" or not query.get("appid"):
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if code.startswith("invalid") or not _CODE_PATTERN.match(code):
            return {"errcode": 40029, "errmsg": "invalid code"}
        if code == "rate-limited":
            return {"errcode": 45011, "errmsg": "api minute-quota reach limit"}
        if code == "busy":
            return {"errcode": -1, "errmsg": "system error"}
        if code == "slow":
            time.sleep(self.slow_seconds)
        session_key = base64.b64encode(os.urandom(16)).decode()
        return {"openid": stub_openid(code), "session_key": session_key}
