"""The short-lived check-in code shown at the venue as a QR code (itsdangerous).

The code names one activity and is signed with the app's ``SECRET_KEY`` under its own salt,
so neither a bearer token nor another signed value of the platform passes for one.
"""

import io
from datetime import datetime, timedelta

import segno
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from api.errors import BadRequest
from api.timeutil import utcnow

_SALT = "checkin-code"
# DESIGN §5: a code photographed and sent to a friend at home must be useless within a minute.
MAX_TTL_SECONDS = 60


class CheckinTokenExpired(BadRequest):
    error, message = "checkin_token_expired", "签到码已过期，请重新扫码"


class CheckinTokenInvalid(BadRequest):
    error, message = "checkin_token_invalid", "签到码无效，请扫描现场的签到码"


def token_ttl_seconds() -> int:
    """How long a code stays valid: ``CHECKIN_TOKEN_TTL_SECONDS``, at most 60 s."""
    return min(
        int(current_app.config.get("CHECKIN_TOKEN_TTL_SECONDS", MAX_TTL_SECONDS)), MAX_TTL_SECONDS
    )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue_checkin_token(activity_id: int) -> tuple[str, datetime]:
    """Sign a code for ``activity_id``; returns it with its expiry time."""
    token = _serializer().dumps({"activity_id": activity_id})
    # itsdangerous stamps whole seconds: the code was issued at the second's start.
    issued_at = utcnow().replace(microsecond=0)
    return token, issued_at + timedelta(seconds=token_ttl_seconds())


def read_checkin_token(token: str) -> int:
    """The activity id a code names.

    :raises CheckinTokenExpired: when older than its time to live.
    :raises CheckinTokenInvalid: when tampered with, malformed or not a check-in code.
    """
    try:
        claims = _serializer().loads(token, max_age=token_ttl_seconds())
    except SignatureExpired as exc:
        raise CheckinTokenExpired() from exc
    except BadSignature as exc:
        raise CheckinTokenInvalid() from exc
    if not isinstance(claims, dict) or not isinstance(claims.get("activity_id"), int):
        raise CheckinTokenInvalid()
    return claims["activity_id"]


def qr_svg(token: str) -> str:
    """A standalone SVG QR code of ``token`` (with its namespace, so it also works as a
    data URI in the mini-program's ``<image>``)."""
    buffer = io.BytesIO()
    segno.make_qr(token, error="m").save(
        buffer, kind="svg", xmldecl=False, svgns=True, nl=False, scale=6, border=2, title="签到码"
    )
    return buffer.getvalue().decode("utf-8")
