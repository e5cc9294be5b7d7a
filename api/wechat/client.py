"""All HTTP to WeChat goes through this module (base URL ``WECHAT_API_BASE``).

Tests and demos point the base URL at the bundled stub (:mod:`api.wechat.stub`), so the
same code path, real HTTP included, runs everywhere.

Failure policy of every call:

* a timeout answers :class:`WeChatUnavailable` after one wait (a user is waiting, and a slow
  WeChat is not fixed by asking again at once);
* errcode ``-1`` (system busy), HTTP 5xx and connections that never reached WeChat are retried
  ``max_retries`` times with exponential backoff;
* errcodes 40001/42001/40014 (access token rejected) refresh the shared token once and repeat;
* any other errcode is the caller's error (bad code, openid, template, value, no grant):
  :class:`WeChatError` at once, never retried.
"""

import json
import time
from dataclasses import dataclass

import requests
from flask import current_app
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from api.wechat.tokens import DatabaseTokenStore, MemoryTokenStore, TokenUnavailable


class WeChatError(Exception):
    """WeChat answered with a non-zero ``errcode``."""

    def __init__(self, errcode: int, errmsg: str = "") -> None:
        super().__init__(f"WeChat error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class WeChatUnavailable(Exception):
    """WeChat could not be reached, timed out, or answered something that is not JSON."""


class DeliveryUnknown(WeChatUnavailable):
    """A message left for WeChat but no answer came back (timeout, dropped connection):
    it may have been delivered, so sending it again could deliver it twice."""


class WatermarkMismatch(Exception):
    """A phone number whose watermark names another mini-program than ours."""


# errcodes (official documentation)
SYSTEM_BUSY = -1
INVALID_CODE = 40029
CODE_USED = 40163  # a web authorization code exchanged before
RATE_LIMITED = 45011
CODE_BLOCKED = 40226
TOKEN_REJECTED = frozenset({40001, 40014, 42001})  # invalid, malformed, expired access_token
DAILY_QUOTA_REACHED = 45009
NO_SUBSCRIPTION_GRANT = 43101  # the user has no subscribe-message grant left
INVALID_TEMPLATE_DATA = 47003

# msg_sec_check v2: the verdict is ``result.suggest``, never the errcode.
RISKY, REVIEW, PASS = "risky", "review", "pass"
_SUGGEST_ORDER = {PASS: 0, REVIEW: 1, RISKY: 2}
SCENE_PROFILE, SCENE_COMMENT, SCENE_FORUM, SCENE_SOCIAL_LOG = 1, 2, 3, 4
MSG_SEC_CHECK_MAX_CHARS = 2500


@dataclass
class WeChatSession:
    openid: str
    session_key: str
    unionid: str | None = None


@dataclass
class WebAuthorization:
    """What ``sns/oauth2/access_token`` answers for a web authorization code."""

    openid: str  # the official account's openid
    access_token: str
    scope: str
    unionid: str | None = None


@dataclass
class PhoneNumber:
    phone_number: str  # with the country code when it is not +86
    pure_phone_number: str
    country_code: str


class _Retryable(Exception):
    """A failure worth another try: -1, 5xx, or a connection that never reached WeChat."""

    def __init__(self, message: str, errcode: int | None = None) -> None:
        super().__init__(message)
        self.errcode = errcode


def _never_reached_wechat(exc: requests.RequestException) -> bool:
    """Whether the request certainly was not received (refused or timed-out connect)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError) and exc.args:
        reason = getattr(exc.args[0], "reason", exc.args[0])
        return isinstance(reason, NewConnectionError | ConnectTimeoutError)
    return False


class WeChatClient:
    """A small client of the WeChat server API for one mini-program."""

    def __init__(
        self,
        base_url: str,
        appid: str,
        secret: str,
        timeout: float = 5.0,
        *,
        token_store=None,
        max_retries: int = 2,
        retry_backoff: float = 0.3,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.appid = appid
        self.secret = secret
        self.timeout = timeout
        self.max_retries = max_retries
        self.retry_backoff = retry_backoff
        self.token_store = token_store or MemoryTokenStore()
        self._http = requests.Session()

    @classmethod
    def from_app(cls) -> "WeChatClient":
        """A client configured from the current Flask app, sharing the token in the database."""
        from api.extensions import db

        config = current_app.config
        timeout = config["WECHAT_TIMEOUT"]
        retries = config["WECHAT_MAX_RETRIES"]
        lease = timeout * (retries + 1) + 5
        store = DatabaseTokenStore(
            db.engine, config["WECHAT_APPID"], lease_seconds=lease, wait_seconds=lease + timeout
        )
        return cls(
            config["WECHAT_API_BASE"],
            config["WECHAT_APPID"],
            config["WECHAT_SECRET"],
            timeout,
            token_store=store,
            max_retries=retries,
            retry_backoff=config["WECHAT_RETRY_BACKOFF"],
        )

    @classmethod
    def for_official_account(cls) -> "WeChatClient":
        """A client of the county's official account (网页授权), configured from the app."""
        config = current_app.config
        return cls(
            config["WECHAT_API_BASE"],
            config["WECHAT_OA_APPID"],
            config["WECHAT_OA_SECRET"],
            config["WECHAT_TIMEOUT"],
            max_retries=config["WECHAT_MAX_RETRIES"],
            retry_backoff=config["WECHAT_RETRY_BACKOFF"],
        )

    # -- transport ---------------------------------------------------------------------

    def _once(
        self, method: str, path: str, params: dict, body: dict | None, binary: bool
    ) -> dict | bytes:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        headers = {} if body is None else {"Content-Type": "application/json; charset=utf-8"}
        try:
            response = self._http.request(
                method,
                self.base_url + path,
                params=params,
                data=data,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            # Not str(exc): requests puts the URL in it, with the access_token or secret.
            reason = f"{type(exc).__name__} calling {path}"
            if _never_reached_wechat(exc):
                raise _Retryable(reason) from exc
            raise DeliveryUnknown(reason) from exc
        if response.status_code >= 500:
            raise _Retryable(f"HTTP {response.status_code} from {path}")
        if response.status_code >= 400:
            raise WeChatUnavailable(f"HTTP {response.status_code} from {path}")
        if binary and response.headers.get("Content-Type", "").startswith("image/"):
            return response.content
        try:
            payload = response.json()
        except ValueError as exc:
            raise WeChatUnavailable(f"{path} answered something that is not JSON") from exc
        errcode = payload.get("errcode", 0) if isinstance(payload, dict) else None
        if errcode is None:
            raise WeChatUnavailable(f"{path} answered something that is not an object")
        if errcode == SYSTEM_BUSY:
            raise _Retryable(f"{path}: system busy", SYSTEM_BUSY)
        if errcode:
            raise WeChatError(errcode, payload.get("errmsg", ""))
        return payload

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        body: dict | None = None,
        authorized: bool = False,
        binary: bool = False,
    ) -> dict | bytes:
        """One API call with the failure policy of this module."""
        attempt = 0
        token_refreshed = False
        while True:
            query = dict(params or {})
            if authorized:
                access_token = self.access_token()
                query["access_token"] = access_token
            try:
                return self._once(method, path, query, body, binary)
            except WeChatError as exc:
                if authorized and exc.errcode in TOKEN_REJECTED and not token_refreshed:
                    token_refreshed = True
                    self.token_store.invalidate(access_token)
                    continue
                raise
            except _Retryable as exc:
                if attempt >= self.max_retries:
                    if exc.errcode is not None:  # still busy: keep WeChat's errcode
                        raise WeChatError(exc.errcode, "system busy") from exc
                    raise WeChatUnavailable(str(exc)) from exc
                time.sleep(self.retry_backoff * 2**attempt)
                attempt += 1

    # -- access token ------------------------------------------------------------------

    def fetch_stable_token(self, force_refresh: bool = False) -> tuple[str, int]:
        """Ask WeChat for the stable access token: ``(access_token, expires_in_seconds)``.

        :raises WeChatUnavailable: also for an errcode (bad appid or secret, IP not
            whitelisted): no call can be made until it is fixed, whatever the caller wanted.
        """
        try:
            payload = self._request(
                "POST",
                "/cgi-bin/stable_token",
                body={
                    "grant_type": "client_credential",
                    "appid": self.appid,
                    "secret": self.secret,
                    "force_refresh": force_refresh,
                },
            )
        except WeChatError as exc:
            raise WeChatUnavailable(f"stable_token refused: {exc}") from exc
        if not payload.get("access_token"):
            raise WeChatUnavailable("stable_token answered without access_token")
        return payload["access_token"], int(payload.get("expires_in", 7200))

    def access_token(self) -> str:
        """The shared access token, fetched only when missing, expiring or rejected.

        :raises WeChatUnavailable:
        """
        try:
            return self.token_store.get(self.fetch_stable_token)
        except TokenUnavailable as exc:
            raise WeChatUnavailable(str(exc)) from exc

    # -- API ---------------------------------------------------------------------------

    def code_to_session(self, code: str) -> WeChatSession:
        """Exchange a ``wx.login`` code for the user's openid and session key.

        :raises WeChatError: for an errcode (40029 bad code, 45011 rate limit, -1 busy, ...).
        :raises WeChatUnavailable: when WeChat is unreachable or slower than the timeout.
        """
        payload = self._request(
            "GET",
            "/sns/jscode2session",
            params={
                "appid": self.appid,
                "secret": self.secret,
                "js_code": code,
                "grant_type": "authorization_code",
            },
        )
        if not payload.get("openid") or not payload.get("session_key"):
            raise WeChatUnavailable("jscode2session answered without openid")
        return WeChatSession(payload["openid"], payload["session_key"], payload.get("unionid"))

    def oauth_access_token(self, code: str) -> WebAuthorization:
        """Exchange a web authorization code (网页授权) for the person's official-account
        openid, a web access token and, for ``snsapi_userinfo``, the unionid.

        :raises WeChatError: 40029 invalid code, 40163 code already used, ...
        :raises WeChatUnavailable:
        """
        payload = self._request(
            "GET",
            "/sns/oauth2/access_token",
            params={
                "appid": self.appid,
                "secret": self.secret,
                "code": code,
                "grant_type": "authorization_code",
            },
        )
        if not payload.get("openid") or not payload.get("access_token"):
            raise WeChatUnavailable("oauth2/access_token answered without openid")
        return WebAuthorization(
            payload["openid"],
            payload["access_token"],
            payload.get("scope", ""),
            payload.get("unionid"),
        )

    def oauth_userinfo(self, access_token: str, openid: str) -> dict:
        """The person's public profile (nickname, unionid) for a ``snsapi_userinfo`` token.

        :raises WeChatError: 40001 bad token, 48001 a ``snsapi_base`` token, ...
        :raises WeChatUnavailable:
        """
        return self._request(
            "GET",
            "/sns/userinfo",
            params={"access_token": access_token, "openid": openid, "lang": "zh_CN"},
        )

    def send_subscribe_message(
        self,
        openid: str,
        template_id: str,
        data: dict[str, str],
        *,
        page: str | None = None,
        miniprogram_state: str = "formal",
        lang: str = "zh_CN",
    ) -> None:
        """Send one subscribe message; ``data`` maps template keys (``thing1``) to values
        already cut to WeChat's limits.

        :raises WeChatError: 43101 no grant left, 47003 a value breaks its key's rules,
            40003 bad openid, 40037 bad template id, ... (never retried).
        :raises DeliveryUnknown: no answer after the message left: it may have arrived.
        :raises WeChatUnavailable: WeChat unreachable, busy or failing (not delivered).
        """
        body = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
            "miniprogram_state": miniprogram_state,
            "lang": lang,
        }
        if page:
            body["page"] = page
        self._request("POST", "/cgi-bin/message/subscribe/send", body=body, authorized=True)

    def check_text(self, openid: str, content: str, scene: int = SCENE_COMMENT) -> str:
        """Check user text with ``msg_sec_check`` v2; returns ``result.suggest``:
        ``"risky"`` (refuse it), ``"review"`` (hold it for a person) or ``"pass"``.

        ``scene``: 1 profile, 2 comment, 3 forum, 4 social log. The user must have opened
        the mini-program within the last two hours (else errcode 61010). Text longer than
        WeChat's 2,500 characters is checked in parts; the worst verdict wins.

        :raises WeChatError: for an errcode (40003 bad openid, 61010 user not active, ...).
        :raises WeChatUnavailable:
        """
        parts = [
            content[start : start + MSG_SEC_CHECK_MAX_CHARS]
            for start in range(0, len(content), MSG_SEC_CHECK_MAX_CHARS)
        ] or [""]
        verdict = PASS
        for part in parts:
            payload = self._request(
                "POST",
                "/wxa/msg_sec_check",
                authorized=True,
                body={
                    "content": part,
                    "version": 2,
                    "scene": scene,
                    "openid": openid,
                },
            )
            suggest = (payload.get("result") or {}).get("suggest")
            if suggest not in _SUGGEST_ORDER:
                raise WeChatUnavailable("msg_sec_check answered without result.suggest")
            if _SUGGEST_ORDER[suggest] > _SUGGEST_ORDER[verdict]:
                verdict = suggest
        return verdict

    def get_phone_number(self, code: str) -> PhoneNumber:
        """The phone number behind a ``getPhoneNumber`` button's code.

        :raises WatermarkMismatch: the number was issued to another mini-program.
        :raises WeChatError: 40029 invalid or used code, ...
        :raises WeChatUnavailable:
        """
        payload = self._request(
            "POST", "/wxa/business/getuserphonenumber", authorized=True, body={"code": code}
        )
        info = payload.get("phone_info") or {}
        if not info.get("purePhoneNumber"):
            raise WeChatUnavailable("getuserphonenumber answered without phone_info")
        if (info.get("watermark") or {}).get("appid") != self.appid:
            raise WatermarkMismatch("phone number issued to another mini-program")
        return PhoneNumber(
            info.get("phoneNumber", info["purePhoneNumber"]),
            info["purePhoneNumber"],
            str(info.get("countryCode", "86")),
        )

    def get_unlimited_wxacode(
        self,
        scene: str,
        page: str,
        *,
        env_version: str = "release",
        width: int = 430,
        check_path: bool = False,
    ) -> bytes:
        """A 小程序码 image (``getwxacodeunlimit``) opening ``page`` with ``scene``
        (at most 32 visible characters).

        :raises WeChatError: 40169 bad scene, 41030 bad page, ...
        :raises WeChatUnavailable:
        """
        image = self._request(
            "POST",
            "/wxa/getwxacodeunlimit",
            authorized=True,
            binary=True,
            body={
                "scene": scene,
                "page": page,
                "env_version": env_version,
                "width": width,
                "check_path": check_path,
            },
        )
        if not isinstance(image, bytes):
            raise WeChatUnavailable("getwxacodeunlimit answered JSON without an image")
        return image
