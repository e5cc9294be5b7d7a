"""Our own signed, expiring bearer tokens (itsdangerous), independent of WeChat's."""

from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from api.errors import Unauthorized
from api.timeutil import utcnow

_SALT = "auth-token"


class InvalidToken(Unauthorized):
    error, message = "invalid_token", "登录凭证无效，请重新登录"


class TokenExpired(Unauthorized):
    error, message = "token_expired", "登录已过期，请重新登录"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue_token(user) -> tuple[str, datetime]:
    """Sign a token for ``user``; returns it with its expiry time."""
    ttl = current_app.config["TOKEN_TTL_SECONDS"]
    token = _serializer().dumps({"uid": user.id, "ver": user.token_version})
    return token, utcnow() + timedelta(seconds=ttl)


def read_token(token: str) -> dict:
    """Check signature and age of ``token`` and return its claims.

    :raises TokenExpired: when older than ``TOKEN_TTL_SECONDS``.
    :raises InvalidToken: when tampered with or malformed.
    """
    try:
        return _serializer().loads(token, max_age=current_app.config["TOKEN_TTL_SECONDS"])
    except SignatureExpired as exc:
        raise TokenExpired() from exc
    except BadSignature as exc:
        raise InvalidToken() from exc
