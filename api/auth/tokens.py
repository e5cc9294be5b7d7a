"""Our own signed, expiring tokens (itsdangerous), independent of WeChat's.

A sign-in is a session row (:class:`~api.accounts.models.AuthSession`). It hands out a
short-lived access token (``TOKEN_TTL_SECONDS``, 2 h) and a refresh token
(``REFRESH_TOKEN_TTL_SECONDS``, 30 days) that is rotated on every use. Both carry the
session id and the user's ``token_version``: revoking the session ends one sign-in,
bumping the version ends them all.
"""

import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired
from sqlalchemy import Select, bindparam, delete, exists, or_, select, update
from sqlalchemy.orm import joinedload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from api.accounts.models import AuthSession, RoleGrant, User, VolunteerProfile
from api.auth.credentials import REFRESH_SALT, access_token_claims, serializer
from api.errors import Unauthorized
from api.extensions import db
from api.timeutil import utcnow
from api.transactions import atomic


class InvalidToken(Unauthorized):
    error, message = "invalid_token", "登录凭证无效，请重新登录"


class TokenExpired(Unauthorized):
    error, message = "token_expired", "登录已过期，请重新登录"


@dataclass(frozen=True)
class IssuedTokens:
    """What a sign-in or a refresh answers."""

    token: str
    expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    session_id: str


def _access_token(user: User, session_id: str) -> tuple[str, datetime]:
    ttl = current_app.config["TOKEN_TTL_SECONDS"]
    # "staff": whether the user held a role when signed (every change of roles bumps the
    # version, which ends this token): which of two equal reads loads the user faster.
    token = serializer().dumps(
        {"uid": user.id, "ver": user.token_version, "sid": session_id, "staff": bool(user.grants)}
    )
    return token, utcnow() + timedelta(seconds=ttl)


def _refresh_token(user: User, session: AuthSession) -> str:
    return serializer(REFRESH_SALT).dumps(
        {
            "uid": user.id,
            "ver": user.token_version,
            "sid": session.id,
            "gen": session.refresh_generation,
        }
    )


@atomic()
def start_session(user: User) -> IssuedTokens:
    """Open a session for ``user`` and sign its first tokens (its own unit of work).

    The user's ended sessions (signed out, or past their refresh expiry) are deleted on the
    way: no token of theirs can work any more, so the table holds live sessions only.
    """
    now = utcnow()
    refresh_ttl = timedelta(seconds=current_app.config["REFRESH_TOKEN_TTL_SECONDS"])
    db.session.execute(
        delete(AuthSession)
        .where(
            AuthSession.user_id == user.id,
            or_(AuthSession.revoked_at.is_not(None), AuthSession.expires_at < now),
        )
        .execution_options(synchronize_session=False)
    )
    session = AuthSession(
        id=secrets.token_hex(16),
        user_id=user.id,
        refresh_generation=0,
        expires_at=now + refresh_ttl,
    )
    db.session.add(session)
    token, expires_at = _access_token(user, session.id)
    return IssuedTokens(
        token, expires_at, _refresh_token(user, session), session.expires_at, session.id
    )


def issue_token(user: User) -> tuple[str, datetime]:
    """Sign an access token of a new session of ``user``; returns it with its expiry time."""
    issued = start_session(user)
    return issued.token, issued.expires_at


def _valid_claims(load: Callable[[], object]) -> dict:
    """The claims ``load`` returns, its signature and age failures as ours."""
    try:
        claims = load()
    except SignatureExpired as exc:
        raise TokenExpired() from exc
    except BadSignature as exc:
        raise InvalidToken() from exc
    if not isinstance(claims, dict) or not isinstance(claims.get("sid"), str):
        raise InvalidToken()  # a token of before sessions existed
    return claims


def read_token(token: str) -> dict:
    """Check signature and age of an access ``token`` and return its claims.

    :raises TokenExpired: when older than ``TOKEN_TTL_SECONDS``.
    :raises InvalidToken: when tampered with or malformed.
    """
    return _valid_claims(lambda: access_token_claims(token))


@functools.cache
def _user_of_session_statement() -> Select:
    # Built once, with parameters: building the statement and its loader options cost more
    # than running it, on every signed-in request.
    return (
        select(User, AuthSession.revoked_at)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(User.id == bindparam("user_id"), AuthSession.id == bindparam("session_id"))
        .options(joinedload(User.grants), joinedload(User.volunteer))
    )


_USER_COLUMNS = tuple(column.key for column in User.__table__.columns)
_PROFILE_COLUMNS = tuple(column.key for column in VolunteerProfile.__table__.columns)


@functools.cache
def _lean_user_statement() -> Select:
    # The same question as Core columns: the user's, their volunteer profile's (all None
    # without one), the session's revocation, and whether they hold any role.
    users, sessions = User.__table__.c, AuthSession.__table__.c
    profiles = VolunteerProfile.__table__.c
    return (
        select(
            *(users[key] for key in _USER_COLUMNS),
            *(profiles[key].label(f"profile_{key}") for key in _PROFILE_COLUMNS),
            sessions.revoked_at,
            exists().where(RoleGrant.__table__.c.user_id == users.id).label("has_grants"),
        )
        .select_from(User.__table__)
        .join(AuthSession.__table__, sessions.user_id == users.id)
        .outerjoin(VolunteerProfile.__table__, profiles.user_id == users.id)
        .where(users.id == bindparam("user_id"), sessions.id == bindparam("session_id"))
    )


def _persistent(model, values: dict):
    """An instance of ``model`` with ``values`` as just read from the database, in the
    session (as a query would have loaded it: changes to it are flushed as usual)."""
    instance = model(**values)
    make_transient_to_detached(instance)
    db.session.add(instance)
    return instance


def _load_user(claims: dict) -> tuple[User, object] | None:
    """The user the claims name, with their grants and profile loaded, and the session's
    ``revoked_at``; None when either is gone.

    Most signed-in requests come from residents, who hold no role (their token says so):
    their user and profile come from one Core row, made into the same ORM objects a query
    returns (the ORM's own loading of the joined entities costs more). Anyone holding a
    role, or already in the session, is loaded by the ORM query."""
    params = {"user_id": claims.get("uid"), "session_id": claims.get("sid")}
    user_id = claims.get("uid")
    in_session = isinstance(user_id, int) and identity_key(User, user_id) in db.session.identity_map
    row = None
    if claims.get("staff") is False and not in_session:
        row = db.session.execute(_lean_user_statement(), params).first()
        if row is None:
            return None
    if row is None or row.has_grants:  # a role given without the version's bump, too
        found = db.session.execute(_user_of_session_statement(), params).unique().first()
        return (found[0], found[1]) if found is not None else None
    values = row._mapping
    user = _persistent(User, {key: values[key] for key in _USER_COLUMNS})
    profile = None
    if values["profile_user_id"] is not None:
        profile = _persistent(
            VolunteerProfile, {key: values[f"profile_{key}"] for key in _PROFILE_COLUMNS}
        )
        set_committed_value(profile, "user", user)
    set_committed_value(user, "grants", [])
    set_committed_value(user, "volunteer", profile)
    return user, row.revoked_at


def user_of_claims(claims: dict) -> User:
    """The user an access token's claims name, if the token still stands.

    Read afresh on every request (no cache across requests): a revoked session, a
    deactivated user or a bumped version (a change of roles or password) takes effect at
    once, in every worker.

    :raises InvalidToken: the user is gone or deactivated, the version was bumped, or the
        session was signed out.
    """
    # One statement: the user with their roles and volunteer profile, and the session.
    found = _load_user(claims)
    if found is None:
        raise InvalidToken()
    user, revoked_at = found
    if revoked_at is not None or not user.is_active or user.token_version != claims.get("ver"):
        raise InvalidToken()
    return user


def refresh_session(refresh_token: str) -> tuple[User, IssuedTokens]:
    """Rotate a refresh token: a new access token and a new refresh token of the same session.

    A refresh token works once. One presented again (stolen, or replayed) ends its session.

    :raises TokenExpired: the refresh token is older than ``REFRESH_TOKEN_TTL_SECONDS``.
    :raises InvalidToken: tampered, replayed, signed out, or the user's version was bumped.
    """
    max_age = current_app.config["REFRESH_TOKEN_TTL_SECONDS"]
    claims = _valid_claims(lambda: serializer(REFRESH_SALT).loads(refresh_token, max_age=max_age))
    user = user_of_claims(claims)
    now = utcnow()
    refresh_ttl = timedelta(seconds=current_app.config["REFRESH_TOKEN_TTL_SECONDS"])
    # One conditional UPDATE: of two requests with the same token, only one moves it on.
    with atomic():
        moved = db.session.execute(
            update(AuthSession)
            .where(
                AuthSession.id == claims["sid"],
                AuthSession.refresh_generation == claims.get("gen"),
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > now,
            )
            .values(
                refresh_generation=AuthSession.refresh_generation + 1, expires_at=now + refresh_ttl
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    if moved != 1:
        # Its own unit, after the one above: the refusal below must not undo the sign-out.
        end_session(claims["sid"])
        raise InvalidToken()
    session = db.session.get(AuthSession, claims["sid"])
    db.session.refresh(session)
    token, expires_at = _access_token(user, session.id)
    return user, IssuedTokens(
        token, expires_at, _refresh_token(user, session), session.expires_at, session.id
    )


@atomic()
def end_session(session_id: str) -> None:
    """Sign one session out: its access and refresh tokens stop working."""
    db.session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


@atomic()
def sign_out_everywhere(user: User) -> None:
    """End every session of ``user``, as its own unit of work (the user's "sign out
    everywhere")."""
    revoke_all_tokens(user)


def revoke_all_tokens(user: User) -> None:
    """End every session of ``user`` (their tokens fail the version check from now on).

    Part of the caller's unit of work (a change of roles or password).
    """
    user.token_version = (user.token_version or 1) + 1
    db.session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def end_other_sessions(user: User, keep_session_id: str | None) -> None:
    """Sign out every session of ``user`` but ``keep_session_id``. Part of the caller's unit
    of work."""
    db.session.execute(
        update(AuthSession)
        .where(
            AuthSession.user_id == user.id,
            AuthSession.id != (keep_session_id or ""),
            AuthSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
