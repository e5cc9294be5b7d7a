"""The web pages' sign-in: tokens in HttpOnly cookies, CSRF by a signed double submit.

A sign-in with ``?session=cookie`` answers without tokens in the body and sets:

- ``civ_session``: the access token, HttpOnly, for the whole site;
- ``civ_refresh``: the refresh token, HttpOnly, sent only to ``/api/v1/auth/``;
- ``civ_csrf``: readable by the page's script, an HMAC of the session id. The pages echo it in
  ``X-CSRF-Token`` on every write; a cross-site page can neither read it nor forge it, and a
  cookie planted from elsewhere fails because it is bound to the session.

All are ``SameSite=Lax`` and ``Secure`` when the request came over HTTPS (or always in
production).
"""

import hashlib
import hmac

from flask import Response, current_app, request

ACCESS_COOKIE = "civ_session"
REFRESH_COOKIE = "civ_refresh"
CSRF_COOKIE = "civ_csrf"
REFRESH_PATH = "/api/v1/auth/"


def csrf_token(session_id: str) -> str:
    """The CSRF token of a session: an HMAC of its id under SECRET_KEY."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"csrf:" + session_id.encode(), hashlib.sha256).hexdigest()


def csrf_matches(session_id: str, sent: str | None) -> bool:
    """Whether ``sent`` is the CSRF token of the session (in constant time)."""
    return bool(sent) and hmac.compare_digest(csrf_token(session_id), sent)


def wants_cookie() -> bool:
    """Whether the caller (a web page) asked for a cookie session: ``?session=cookie``."""
    return request.args.get("session") == "cookie"


def _secure() -> bool:
    return request.is_secure or current_app.config["APP_ENV"] == "production"


def set_cookies(response: Response, issued) -> Response:
    """Put the tokens of ``issued`` (:class:`~api.auth.tokens.IssuedTokens`) in cookies."""
    secure = _secure()
    max_age = current_app.config["REFRESH_TOKEN_TTL_SECONDS"]
    response.set_cookie(
        ACCESS_COOKIE,
        issued.token,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=True,
        samesite="Lax",
    )
    response.set_cookie(
        REFRESH_COOKIE,
        issued.refresh_token,
        max_age=max_age,
        path=REFRESH_PATH,
        secure=secure,
        httponly=True,
        samesite="Lax",
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf_token(issued.session_id),
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=False,
        samesite="Lax",
    )
    return response


def clear_cookies(response: Response) -> Response:
    """Delete the web session's cookies."""
    secure = _secure()
    for name, path, httponly in (
        (ACCESS_COOKIE, "/", True),
        (REFRESH_COOKIE, REFRESH_PATH, True),
        (CSRF_COOKIE, "/", False),
    ):
        response.delete_cookie(name, path=path, secure=secure, httponly=httponly, samesite="Lax")
    return response


def refreshing_token() -> str | None:
    """The refresh token of the web session's cookie, if any."""
    return request.cookies.get(REFRESH_COOKIE)
