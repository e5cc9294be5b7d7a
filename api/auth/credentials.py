"""Where a request's token comes from, and how tokens are signed.

Kept free of models so that low layers (the rate limiter's key) can read a token's user id
without the database.
"""

import functools
from dataclasses import dataclass

from flask import current_app, has_request_context, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from api.auth import web_session

ACCESS_SALT = "auth-token"
REFRESH_SALT = "auth-refresh-token"
# Where a request keeps its access token once checked: (token, claims).
_CHECKED_TOKEN = "civ.checked_access_token"


@dataclass(frozen=True)
class Credential:
    """The token a request carries and where it came from."""

    token: str
    from_cookie: bool


def serializer(salt: str = ACCESS_SALT) -> URLSafeTimedSerializer:
    """The signer of tokens of one kind (access or refresh)."""
    return _serializer(current_app.config["SECRET_KEY"], salt)


@functools.lru_cache(maxsize=16)
def _serializer(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    # One per key and kind: building one (it inspects its JSON module) costs as much as
    # checking a token's signature, on every signed-in request.
    return URLSafeTimedSerializer(secret_key, salt=salt)


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def request_credential() -> Credential | None:
    """The bearer token, else the web session cookie, else None."""
    token = _bearer_token()
    if token is not None:
        return Credential(token, from_cookie=False)
    token = request.cookies.get(web_session.ACCESS_COOKIE)
    return Credential(token, from_cookie=True) if token else None


def access_token_claims(token: str) -> object:
    """What an access ``token`` carries, once its signature and age hold: checked once per
    request (the rate limiter's key asks first, the sign-in next).

    :raises BadSignature: (``SignatureExpired`` among them) when they do not hold.
    """
    checked = request.environ.get(_CHECKED_TOKEN) if has_request_context() else None
    if checked is not None and checked[0] == token:
        return checked[1]
    claims = serializer().loads(token, max_age=current_app.config["TOKEN_TTL_SECONDS"])
    if has_request_context():
        request.environ[_CHECKED_TOKEN] = (token, claims)
    return claims


def signed_user_id() -> int | None:
    """The user id of the request's access token when its signature and age hold, without
    asking the database whether it was revoked (for rate-limit keys only)."""
    credential = request_credential()
    if credential is None:
        return None
    try:
        claims = access_token_claims(credential.token)
    except BadSignature:
        return None
    user_id = claims.get("uid") if isinstance(claims, dict) else None
    return user_id if isinstance(user_id, int) else None
