"""The signed-in user of the current request, read from ``Authorization: Bearer``.

Views call :func:`require_user` or :func:`optional_user` and hand the user to services;
services never look at the request.
"""

from flask import g, request

from api.accounts.models import User
from api.auth.tokens import InvalidToken, read_token
from api.errors import Unauthorized
from api.extensions import db

_UNSET = object()


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def optional_user() -> User | None:
    """The signed-in user, or None when no token was sent.

    :raises InvalidToken, TokenExpired: when a token was sent but is not valid.
    """
    token = _bearer_token()
    # Cached per token: an app context (and its ``g``) can outlive one request.
    cached_token, cached_user = g.get("auth_cache", (_UNSET, None))
    if cached_token == token:
        return cached_user
    user = None
    if token is not None:
        claims = read_token(token)
        user = db.session.get(User, claims.get("uid"))
        if user is None or not user.is_active or user.token_version != claims.get("ver"):
            raise InvalidToken()
    g.auth_cache = (token, user)
    return user


def require_user() -> User:
    """The signed-in user. :raises Unauthorized: when nobody is signed in."""
    user = optional_user()
    if user is None:
        raise Unauthorized()
    return user
