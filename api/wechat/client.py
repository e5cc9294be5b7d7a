"""All HTTP to WeChat goes through this module (base URL ``WECHAT_API_BASE``).

Tests and demos point the base URL at the bundled stub (:mod:`api.wechat.stub`), so the
same code path, real HTTP included, runs everywhere.
"""

from dataclasses import dataclass

import requests
from flask import current_app


class WeChatError(Exception):
    """WeChat answered with a non-zero ``errcode``."""

    def __init__(self, errcode: int, errmsg: str = "") -> None:
        super().__init__(f"WeChat error {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class WeChatUnavailable(Exception):
    """WeChat could not be reached, timed out, or answered something that is not JSON."""


# errcodes of jscode2session (official documentation)
INVALID_CODE = 40029
RATE_LIMITED = 45011
CODE_BLOCKED = 40226
SYSTEM_BUSY = -1


@dataclass
class WeChatSession:
    openid: str
    session_key: str
    unionid: str | None = None


class WeChatClient:
    """A small client of the WeChat server API for one mini-program."""

    def __init__(self, base_url: str, appid: str, secret: str, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.appid = appid
        self.secret = secret
        self.timeout = timeout
        self._http = requests.Session()

    @classmethod
    def from_app(cls) -> "WeChatClient":
        """A client configured from the current Flask app."""
        config = current_app.config
        return cls(config["WECHAT_API_BASE"], config["WECHAT_APPID"], config["WECHAT_SECRET"],
                   config["WECHAT_TIMEOUT"])

    def _get_json(self, path: str, params: dict) -> dict:
        try:
            response = self._http.get(self.base_url + path, params=params, timeout=self.timeout)
            response.raise_for_status()
            payload = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise WeChatUnavailable(str(exc)) from exc
        errcode = payload.get("errcode", 0)
        if errcode:
            raise WeChatError(errcode, payload.get("errmsg", ""))
        return payload

    def code_to_session(self, code: str) -> WeChatSession:
        """Exchange a ``wx.login`` code for the user's openid and session key.

        :raises WeChatError: for an errcode (40029 bad code, 45011 rate limit, -1 busy, ...).
        :raises WeChatUnavailable: when WeChat is unreachable or slower than the timeout.
        """
        payload = self._get_json(
            "/sns/jscode2session",
            {"appid": self.appid, "secret": self.secret, "js_code": code,
             "grant_type": "authorization_code"},
        )
        if not payload.get("openid") or not payload.get("session_key"):
            raise WeChatUnavailable("jscode2session answered without openid")
        return WeChatSession(payload["openid"], payload["session_key"], payload.get("unionid"))
