"""The signed-in user of the current request.

The mini-program sends ``Authorization: Bearer <token>``. The web pages (``/app/``,
``/admin/``) never see their token: it rides in an HttpOnly cookie (see
:mod:`api.auth.web_session`), and an unsafe request authenticated by that cookie must also
carry the session's CSRF token in ``X-CSRF-Token``.

Views call :func:`require_user` or :func:`optional_user` and hand the user to services;
services never look at the request.
"""

from flask import request

from api.accounts.models import User
from api.auth import web_session
from api.auth.credentials import request_credential
from api.auth.tokens import read_token, user_of_claims
from api.errors import Forbidden, Unauthorized

_UNSET = object()
_CACHE_KEY = "civ.auth_user"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfFailed(Forbidden):
    error, message = "csrf_failed", "页面已过期，请刷新页面后重试"


def current_claims() -> dict | None:
    """The claims of the request's access token (None when signed out).

    :raises InvalidToken, TokenExpired: when the token is not valid.
    """
    credential = request_credential()
    return read_token(credential.token) if credential else None


def current_session_id() -> str | None:
    """The session id of the request's (already checked) access token, or None."""
    claims = current_claims()
    return claims["sid"] if claims else None


def _authenticate() -> User | None:
    credential = request_credential()
    # Cached per request (not in ``g``: an app context can outlive one request).
    cached_token, cached_user = request.environ.get(_CACHE_KEY, (_UNSET, None))
    if credential is not None and cached_token == credential.token:
        return cached_user
    if credential is None:
        return None
    claims = read_token(credential.token)
    user = user_of_claims(claims)
    if credential.from_cookie and request.method not in SAFE_METHODS:
        # A cookie goes along with any request the browser makes, a cross-site form's too:
        # a write needs the proof that the page itself (same origin) sent it.
        if not web_session.csrf_matches(claims["sid"], request.headers.get("X-CSRF-Token")):
            raise CsrfFailed()
    request.environ[_CACHE_KEY] = (credential.token, user)
    return user


def optional_user() -> User | None:
    """The signed-in user, or None when no token was sent.

    A stale web cookie counts as signed out here (the pages read public data with it).

    :raises InvalidToken, TokenExpired: when a bearer token was sent but is not valid.
    :raises CsrfFailed: a cookie-authenticated write without the CSRF header.
    """
    try:
        return _authenticate()
    except Unauthorized:
        credential = request_credential()
        if credential is not None and credential.from_cookie:
            return None
        raise


def require_user() -> User:
    """The signed-in user. :raises Unauthorized: when nobody is signed in (or the token is
    not valid); :raises CsrfFailed: see :func:`optional_user`."""
    user = _authenticate()
    if user is None:
        raise Unauthorized()
    return user
