"""Sign-in on the web through the official account's web authorization (网页授权).

The flow: ``/app/auth/wechat`` sends the browser to WeChat's authorize page with a random
``state`` that is also kept in a short-lived HttpOnly cookie; WeChat sends it back to
``/app/auth/wechat/done?code=&state=``, whose page posts both to ``POST
/api/v1/auth/wechat-web``; the state must equal the cookie's (so nobody can sign a browser
in with their own code), and the code is exchanged once (:func:`~api.accounts.services.
login_with_wechat_web`). A GET never signs in: the page's POST does.
"""

import hmac
import secrets
from urllib.parse import urlencode

from flask import current_app

from api.errors import BadRequest

STATE_COOKIE = "civ_oauth_state"
STATE_MAX_AGE = 600
SCOPES = {"base": "snsapi_base", "userinfo": "snsapi_userinfo"}


class InvalidState(BadRequest):
    error, message = "invalid_state", "登录已过期或来源不明，请重新登录"


def new_state() -> str:
    """A random state (WeChat allows letters and digits, at most 128)."""
    return secrets.token_hex(16)


def oauth_base() -> str:
    """Where the authorize page is: open.weixin.qq.com with the real API, else the stub."""
    configured = current_app.config.get("WECHAT_OAUTH_BASE")
    if configured:
        return configured.rstrip("/")
    api_base = current_app.config["WECHAT_API_BASE"].rstrip("/")
    return "https://open.weixin.qq.com" if "api.weixin.qq.com" in api_base else api_base


def authorize_url(redirect_uri: str, state: str, scope: str = "userinfo") -> str:
    """WeChat's authorize URL for the official account."""
    query = urlencode(
        {
            "appid": current_app.config["WECHAT_OA_APPID"],
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": SCOPES.get(scope, SCOPES["userinfo"]),
            "state": state,
        }
    )
    return f"{oauth_base()}/connect/oauth2/authorize?{query}#wechat_redirect"


def check_state(given: str, expected: str | None) -> None:
    """:raises InvalidState: unless ``given`` is the state this browser was sent off with."""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise InvalidState()
