"""A local HTTP server that imitates the parts of the WeChat API the platform uses.

Run it with ``flask wechat-stub --port 8081`` and set ``WECHAT_API_BASE=http://127.0.0.1:8081``.

Login (``GET /sns/jscode2session``): any code of letters, digits, ``-`` and ``_`` is accepted
and always maps to the same openid, so ``demo-volunteer`` signs in the same demo user every
time. Some codes imitate failures:

=================  =====================================
code               answer
=================  =====================================
``invalid*``       errcode 40029 (invalid code)
``rate-limited``   errcode 45011 (too frequent)
``busy``           errcode -1 (system busy)
``slow``           a valid answer after ``slow_seconds``
=================  =====================================

The server API (all ``POST`` with a JSON body):

* ``/cgi-bin/stable_token`` hands out access tokens (``token_expires_in`` seconds); the other
  endpoints answer 41001 without one, 40001 for an unknown or revoked one, 42001 for an
  expired one.
* ``/cgi-bin/message/subscribe/send`` enforces WeChat's value rules per key type (``thing``
  ≤ 20 characters, ``phrase`` ≤ 5 汉字, ``name`` ≤ 10 汉字 or 20 letters, ``time`` as
  ``2026年12月1日 15:00``, ...) and answers 47003 when one is broken; accepted messages are
  kept in :attr:`WeChatStubServer.messages`.
* ``/wxa/msg_sec_check`` (v2): ``result.suggest`` is ``risky`` for text with a word of
  :data:`RISKY_WORDS`, ``review`` for one of :data:`REVIEW_WORDS`, else ``pass``.
* ``/wxa/business/getuserphonenumber``: ``phone-13912345678`` answers that number; codes
  starting ``other-app`` carry another mini-program's watermark; ``invalid*`` and used
  codes answer 40029.
* ``/wxa/getwxacodeunlimit`` answers a small PNG (a QR code of page and scene).

Web authorization of the official account (网页授权), all ``GET``:

* ``/connect/oauth2/authorize`` (on open.weixin.qq.com in production) redirects at once, as
  after the person agreed, to ``redirect_uri?code=…&state=…``; the person is
  :attr:`WeChatStubServer.oauth_person` (``demo-resident`` unless a test or ``POST
  /stub/oauth-person`` says otherwise). A bad ``scope``, ``response_type`` or missing
  ``redirect_uri`` gets WeChat's error page (HTTP 400).
* ``/sns/oauth2/access_token`` exchanges a code once: 40029 for a code it never issued,
  40163 for one already used; the answer has the official account's openid (not the
  mini-program's) and, for ``snsapi_userinfo``, the ``unionid``.
* ``/sns/userinfo`` answers nickname and ``unionid`` for a web access token (40001 for an
  unknown one, 48001 for a ``snsapi_base`` token).

The ``unionid`` of a person is the same in ``jscode2session`` (a mini-program login code is
the person: ``demo-volunteer``) and in web authorization, as WeChat's open platform makes it.

Switches for tests: :meth:`WeChatStubServer.fail_next` makes the next calls of an endpoint
answer an errcode (40001, 43101, 47003, ...), an HTTP status (5xx) or wait first (slow);
:meth:`~WeChatStubServer.revoke_tokens` and :meth:`~WeChatStubServer.expire_tokens`
invalidate the tokens handed out so far; :meth:`~WeChatStubServer.reset` forgets everything.
The same switches are served over HTTP for demos: ``POST /stub/fail-next``,
``POST /stub/reset``, ``GET /stub/messages``.
"""

import base64
import hashlib
import io
import json
import os
import re
import secrets
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import segno

_CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")

RISKY_WORDS = ("赌博", "代开发票", "risky")
REVIEW_WORDS = ("加微信", "review")

# Endpoint names used by ``calls``, ``fail_next`` and ``set_latency``.
POST_ENDPOINTS = {
    "/cgi-bin/stable_token": "stable_token",
    "/cgi-bin/message/subscribe/send": "subscribe_send",
    "/wxa/msg_sec_check": "msg_sec_check",
    "/wxa/business/getuserphonenumber": "getuserphonenumber",
    "/wxa/getwxacodeunlimit": "getwxacodeunlimit",
}

# Subscribe-message value rules, written from WeChat's documentation (independently of the
# platform's own truncation, so a test against the stub really checks it).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CLOCK = r"\d{1,2}:\d{2}"
_DAY = r"\d{4}年\d{1,2}月\d{1,2}日"
_TIME = re.compile(rf"(?:{_DAY} ?)?{_CLOCK}(?:~(?:{_DAY} ?)?{_CLOCK})?")
_DATE = re.compile(rf"{_DAY}(?: {_CLOCK})?(?:~{_DAY}(?: {_CLOCK})?)?")
_KEY = re.compile(r"^([a-z_]+?)(\d+)$")


def _value_ok(kind: str, value: str) -> bool:
    length = len(value)
    rules = {
        "thing": lambda: length <= 20,
        "phrase": lambda: length <= 5 and re.fullmatch(f"[{_CJK}]+", value),
        "name": lambda: length <= (20 if value.isascii() else 10),
        "time": lambda: _TIME.fullmatch(value),
        "date": lambda: _DATE.fullmatch(value),
        "character_string": lambda: length <= 32 and re.fullmatch(r"[\x21-\x7e]+", value),
        "number": lambda: length <= 32 and re.fullmatch(r"\d+(?:\.\d+)?", value),
        "letter": lambda: length <= 32 and re.fullmatch(r"[A-Za-z]+", value),
        "symbol": lambda: length <= 5 and not any(ch.isalnum() for ch in value),
        "amount": lambda: re.fullmatch(r"[¥$€£]?\d{1,10}(?:\.\d{1,2})?元?", value),
        "phone_number": lambda: length <= 17 and re.fullmatch(r"[\d+\-() ]+", value),
        "car_number": lambda: length <= 8,
    }
    rule = rules.get(kind)
    return bool(value) and rule is not None and bool(rule())


def subscribe_data_error(data) -> str | None:
    """The first broken value of a subscribe message's ``data`` (WeChat's 47003), or None."""
    if not isinstance(data, dict) or not data:
        return "data"
    for key, item in data.items():
        match = _KEY.match(key)
        value = item.get("value") if isinstance(item, dict) else None
        if match is None or not isinstance(value, str) or not _value_ok(match.group(1), value):
            return f"data.{key}.value"
    return None


def stub_openid(code: str) -> str:
    """The openid the stub answers for a login code (demo seeding uses it too)."""
    return "ostub" + hashlib.sha256(code.encode()).hexdigest()[:23]


def stub_unionid(person: str) -> str:
    """The unionid of a person (a mini-program login code, or the web ``oauth_person``)."""
    return "ustub" + hashlib.sha256(b"union:" + person.encode()).hexdigest()[:23]


def stub_oa_openid(person: str) -> str:
    """The official account's openid of a person: not the mini-program's."""
    return "oastub" + hashlib.sha256(b"oa:" + person.encode()).hexdigest()[:22]


OAUTH_SCOPES = ("snsapi_base", "snsapi_userinfo")


@dataclass
class _Failure:
    errcode: int | None
    status: int | None
    delay: float
    times: int


@dataclass
class _Token:
    appid: str
    expires_at: float
    revoked: bool = False


class _StubHandler(BaseHTTPRequestHandler):
    server: "WeChatStubServer"

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _answer(self, payload, status: int = 200) -> None:
        if isinstance(payload, bytes):
            self._send(status, payload, "image/png")
            return
        self._send(
            status,
            json.dumps(payload, ensure_ascii=False).encode(),
            "application/json; charset=utf-8",
        )

    def do_GET(self):  # noqa: N802 - http.server naming
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if url.path == "/sns/jscode2session":
            self._answer(self.server.jscode2session(query))
        elif url.path == "/connect/oauth2/authorize":
            target = self.server.oauth_authorize(query)
            if target is None:
                self._send(
                    400,
                    "请求参数错误（redirect_uri、response_type 或 scope）".encode(),
                    "text/plain; charset=utf-8",
                )
                return
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path == "/sns/oauth2/access_token":
            self._answer(self.server.oauth_access_token(query))
        elif url.path == "/sns/userinfo":
            self._answer(self.server.oauth_userinfo(query))
        elif url.path == "/stub/messages":
            self._answer({"messages": self.server.messages})
        else:
            self._answer({"errcode": 404, "errmsg": "stub: unknown path"}, status=404)

    def do_POST(self):  # noqa: N802 - http.server naming
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        if url.path == "/stub/reset":
            self.server.reset()
            self._answer({"errcode": 0})
            return
        if url.path == "/stub/oauth-person" and isinstance(body, dict):
            self.server.oauth_person = str(body.get("person") or "demo-resident")
            self._answer({"errcode": 0})
            return
        if url.path == "/stub/fail-next" and isinstance(body, dict):
            self.server.fail_next(
                body.get("endpoint", ""),
                errcode=body.get("errcode"),
                status=body.get("status"),
                delay=body.get("delay", 0.0),
                times=body.get("times", 1),
            )
            self._answer({"errcode": 0})
            return
        endpoint = POST_ENDPOINTS.get(url.path)
        if endpoint is None:
            self._answer({"errcode": 404, "errmsg": "stub: unknown path"}, status=404)
            return
        self.server.record(endpoint, body)
        failure = self.server.take_failure(endpoint)
        if failure is not None:
            time.sleep(failure.delay)
            if failure.status is not None:
                self._send(failure.status, b"stub: server error", "text/plain")
                return
            if failure.errcode is not None:
                self._answer({"errcode": failure.errcode, "errmsg": "stub: switched failure"})
                return
        if not isinstance(body, dict):
            self._answer({"errcode": 47001, "errmsg": "data format error"})
            return
        self._answer(self.server.answer(endpoint, query, body))


class WeChatStubServer(ThreadingHTTPServer):
    """The stub server; :meth:`start_in_thread` serves it in the background (tests)."""

    daemon_threads = True

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        slow_seconds: float = 8.0,
        verbose: bool = False,
        token_expires_in: int = 7200,
    ) -> None:
        super().__init__((host, port), _StubHandler)
        self.slow_seconds = slow_seconds
        self.verbose = verbose
        self.token_expires_in = token_expires_in
        self._lock = threading.Lock()
        self.reset()

    def handle_error(self, request, client_address) -> None:
        """Stay quiet when a client gave up waiting (its timeout is what a test wanted)."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="wechat-stub", daemon=True)
        thread.start()
        return thread

    # -- switches and records ----------------------------------------------------------

    def reset(self) -> None:
        """Forget calls, messages, tokens, used codes, switched failures and latencies."""
        with self._lock:
            self.calls: list[tuple[str, dict]] = []
            self.messages: list[dict] = []
            self._tokens: dict[str, _Token] = {}
            self._current_token: dict[str, str] = {}
            self._used_phone_codes: set[str] = set()
            self._failures: dict[str, list[_Failure]] = {}
            self._latency: dict[str, float] = {}
            self.oauth_person = "demo-resident"
            self._oauth_codes: dict[str, tuple[str, str, str]] = {}  # code → person, scope, appid
            self._used_oauth_codes: set[str] = set()
            self._oauth_tokens: dict[str, tuple[str, str]] = {}  # token → person, scope

    def fail_next(
        self,
        endpoint: str,
        *,
        errcode: int | None = None,
        status: int | None = None,
        delay: float = 0.0,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``endpoint`` answer ``errcode``, or HTTP
        ``status``, after waiting ``delay`` seconds (a delay alone: a slow, valid answer)."""
        with self._lock:
            self._failures.setdefault(endpoint, []).append(_Failure(errcode, status, delay, times))

    def set_latency(self, endpoint: str, seconds: float) -> None:
        """Answer every call of ``endpoint`` after ``seconds``."""
        with self._lock:
            self._latency[endpoint] = seconds

    def take_failure(self, endpoint: str) -> _Failure | None:
        with self._lock:
            queue = self._failures.get(endpoint)
            if not queue:
                return None
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
            return failure

    def record(self, endpoint: str, body) -> None:
        with self._lock:
            self.calls.append((endpoint, body))
            latency = self._latency.get(endpoint, 0.0)
        if latency:
            time.sleep(latency)

    def calls_to(self, endpoint: str) -> list:
        """The bodies (or login queries) of the calls ``endpoint`` received, oldest first."""
        with self._lock:
            return [body for name, body in self.calls if name == endpoint]

    def revoke_tokens(self) -> None:
        """Make every token handed out so far invalid (40001), as if leaked and reset."""
        with self._lock:
            for token in self._tokens.values():
                token.revoked = True

    def expire_tokens(self) -> None:
        """Make every token handed out so far expired (42001)."""
        with self._lock:
            for token in self._tokens.values():
                token.expires_at = time.monotonic() - 1

    # -- endpoints ---------------------------------------------------------------------

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
        return {
            "openid": stub_openid(code),
            "session_key": session_key,
            "unionid": stub_unionid(code),
        }

    # -- web authorization (网页授权) ------------------------------------------------------

    def oauth_authorize(self, query: dict) -> str | None:
        """Where ``/connect/oauth2/authorize`` sends the browser, or None for a bad request."""
        self.calls.append(("oauth_authorize", query))
        redirect_uri = query.get("redirect_uri", "")
        if (
            not query.get("appid")
            or query.get("response_type") != "code"
            or query.get("scope") not in OAUTH_SCOPES
            or not redirect_uri.startswith(("http://", "https://"))
        ):
            return None
        code = "oa" + secrets.token_hex(12)
        with self._lock:
            self._oauth_codes[code] = (self.oauth_person, query["scope"], query["appid"])
        separator = "&" if "?" in redirect_uri else "?"
        answer = urlencode({"code": code, "state": query.get("state", "")})
        return f"{redirect_uri}{separator}{answer}"

    def oauth_access_token(self, query: dict) -> dict:
        """Answer like ``GET /sns/oauth2/access_token``: each code works once."""
        self.calls.append(("oauth_access_token", query))
        if query.get("grant_type") != "authorization_code" or not query.get("appid"):
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if not query.get("secret"):
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        code = query.get("code", "")
        with self._lock:
            if code in self._used_oauth_codes:
                return {"errcode": 40163, "errmsg": "code been used"}
            issued = self._oauth_codes.pop(code, None)
            if issued is None or issued[2] != query["appid"]:
                return {"errcode": 40029, "errmsg": "invalid code"}
            self._used_oauth_codes.add(code)
            person, scope, _ = issued
            token = "oatoken-" + secrets.token_hex(12)
            self._oauth_tokens[token] = (person, scope)
        answer = {
            "access_token": token,
            "expires_in": 7200,
            "refresh_token": "oarefresh-" + secrets.token_hex(12),
            "openid": stub_oa_openid(person),
            "scope": scope,
        }
        if scope == "snsapi_userinfo":
            answer["unionid"] = stub_unionid(person)
        return answer

    def oauth_userinfo(self, query: dict) -> dict:
        """Answer like ``GET /sns/userinfo`` (a ``snsapi_userinfo`` web token only)."""
        self.calls.append(("oauth_userinfo", query))
        with self._lock:
            found = self._oauth_tokens.get(query.get("access_token", ""))
        if found is None:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
        person, scope = found
        if scope != "snsapi_userinfo":
            return {"errcode": 48001, "errmsg": "api unauthorized"}
        if query.get("openid") != stub_oa_openid(person):
            return {"errcode": 40003, "errmsg": "invalid openid"}
        return {
            "openid": stub_oa_openid(person),
            "nickname": f"微信用户{person[-4:]}",
            "sex": 0,
            "province": "河南",
            "city": "漯河",
            "country": "中国",
            "headimgurl": "",
            "privilege": [],
            "unionid": stub_unionid(person),
        }

    def answer(self, endpoint: str, query: dict, body: dict):
        """The answer of a POST endpoint to a well-formed JSON body."""
        if endpoint == "stable_token":
            return self._stable_token(body)
        token_error, appid = self._check_token(query.get("access_token"))
        if token_error:
            return token_error
        return getattr(self, "_" + endpoint)(body, appid)

    def _stable_token(self, body: dict) -> dict:
        if body.get("grant_type") != "client_credential":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        appid = body.get("appid")
        if not appid:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if not body.get("secret"):
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        now = time.monotonic()
        with self._lock:
            current = self._tokens.get(self._current_token.get(appid, ""))
            if body.get("force_refresh") and current is not None:
                current.revoked = True  # a forced refresh ends the previous token
            elif current is not None and not current.revoked and current.expires_at > now:
                token = self._current_token[appid]
                return {"access_token": token, "expires_in": int(current.expires_at - now)}
            token = "stub-token-" + secrets.token_hex(12)
            self._tokens[token] = _Token(appid, now + self.token_expires_in)
            self._current_token[appid] = token
        return {"access_token": token, "expires_in": self.token_expires_in}

    def _check_token(self, access_token: str | None) -> tuple[dict | None, str]:
        if not access_token:
            return {"errcode": 41001, "errmsg": "access_token missing"}, ""
        with self._lock:
            token = self._tokens.get(access_token)
        if token is None or token.revoked:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}, ""
        if token.expires_at <= time.monotonic():
            return {"errcode": 42001, "errmsg": "access_token expired"}, ""
        return None, token.appid

    def _subscribe_send(self, body: dict, appid: str) -> dict:
        if not body.get("touser"):
            return {"errcode": 40003, "errmsg": "invalid openid"}
        if not body.get("template_id"):
            return {"errcode": 40037, "errmsg": "invalid template_id"}
        if body.get("miniprogram_state", "formal") not in ("developer", "trial", "formal"):
            return {"errcode": 47001, "errmsg": "data format error"}
        broken = subscribe_data_error(body.get("data"))
        if broken is not None:
            return {"errcode": 47003, "errmsg": f"argument invalid! {broken} invalid"}
        message = {
            "touser": body["touser"],
            "template_id": body["template_id"],
            "page": body.get("page"),
            "data": {key: item["value"] for key, item in body["data"].items()},
            "miniprogram_state": body.get("miniprogram_state", "formal"),
            "lang": body.get("lang", "zh_CN"),
        }
        with self._lock:
            self.messages.append(message)
        return {"errcode": 0, "errmsg": "ok", "msgid": len(self.messages)}

    def _msg_sec_check(self, body: dict, appid: str) -> dict:
        if body.get("version") != 2 or body.get("scene") not in (1, 2, 3, 4):
            return {"errcode": 47001, "errmsg": "data format error"}
        if not body.get("openid"):
            return {"errcode": 40003, "errmsg": "invalid openid"}
        content = body.get("content") or ""
        if any(word in content for word in RISKY_WORDS):
            suggest, label = "risky", 20006
        elif any(word in content for word in REVIEW_WORDS):
            suggest, label = "review", 10001
        else:
            suggest, label = "pass", 100
        return {
            "errcode": 0,
            "errmsg": "ok",
            "trace_id": secrets.token_hex(8),
            "result": {"suggest": suggest, "label": label},
            "detail": [
                {
                    "strategy": "content_model",
                    "errcode": 0,
                    "suggest": suggest,
                    "label": label,
                    "prob": 90,
                }
            ],
        }

    def _getuserphonenumber(self, body: dict, appid: str) -> dict:
        code = body.get("code") or ""
        with self._lock:
            used = code in self._used_phone_codes
            self._used_phone_codes.add(code)
        if used or code.startswith("invalid") or not _CODE_PATTERN.match(code):
            return {"errcode": 40029, "errmsg": "invalid code"}
        match = re.search(r"1\d{10}", code)
        phone = (
            match.group(0)
            if match
            else "138" + str(int(hashlib.sha256(code.encode()).hexdigest(), 16))[:8]
        )
        watermark_appid = "wx-other-app" if code.startswith("other-app") else appid
        return {
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": phone,
                "purePhoneNumber": phone,
                "countryCode": "86",
                "watermark": {"timestamp": int(time.time()), "appid": watermark_appid},
            },
        }

    def _getwxacodeunlimit(self, body: dict, appid: str):
        scene = body.get("scene")
        if not isinstance(scene, str) or not re.fullmatch(
            r"[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}", scene
        ):
            return {"errcode": 40169, "errmsg": "invalid length for scene"}
        page = body.get("page") or "pages/index/index"
        if page.startswith("/") or not re.fullmatch(r"[A-Za-z0-9_/\-]+", page):
            return {"errcode": 41030, "errmsg": "invalid page"}
        if body.get("env_version", "release") not in ("release", "trial", "develop"):
            return {"errcode": 40097, "errmsg": "invalid args"}
        buffer = io.BytesIO()
        segno.make(f"{page}?scene={scene}", micro=False).save(buffer, kind="png", scale=3, border=2)
        return buffer.getvalue()
