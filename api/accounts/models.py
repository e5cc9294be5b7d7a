"""Users, their role grants and volunteer profiles."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db_types import UTCDateTime
from api.extensions import db
from api.timeutil import utcnow
from api.units.models import Unit


class User(db.Model):
    """Anyone who signs in: residents through WeChat, staff with a password (or both)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The same person across the mini-program and the official account (web sign-in).
    unionid: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The openid of the county's official account (网页授权), unlike the mini-program's.
    oa_openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    nickname: Mapped[str] = mapped_column(String(64), default="")
    # Encrypted with DATA_KEY; WeChat's session_key never leaves the server.
    wechat_session_key: Mapped[str | None] = mapped_column(String(255))
    # Residents signed up by staff (代报名) have no WeChat: found again by phone (HMAC).
    offline_phone_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Secret of the personal calendar feed URL; reset to revoke the old URL.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Bumped to revoke every token issued so far.
    token_version: Mapped[int] = mapped_column(default=1)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    volunteer: Mapped["VolunteerProfile | None"] = relationship(
        back_populates="user", uselist=False, lazy="selectin"
    )


class RoleGrant(db.Model):
    """A role held by a user, scoped to a unit (and its subtree) where the role is staff."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id", name="uq_role_grants_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants")
    unit: Mapped[Unit | None] = relationship(lazy="joined")


class VolunteerProfile(db.Model):
    """A registered volunteer. Phone and ID number are stored encrypted, with keyed hashes
    (HMAC) for uniqueness and lookup; nothing here is ever answered unmasked."""

    __tablename__ = "volunteer_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    real_name: Mapped[str] = mapped_column(String(40))
    phone_encrypted: Mapped[str] = mapped_column(String(255))
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_number_encrypted: Mapped[str | None] = mapped_column(String(255))
    id_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # An ID number this volunteer entered while another account holds it: never bound (no
    # hash, not used by lookups, certificates or exports) until staff settle who owns it.
    id_number_claim_encrypted: Mapped[str | None] = mapped_column(String(255))
    birth_date: Mapped[date | None]
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    guardian_consent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="volunteer")
    unit: Mapped[Unit] = relationship(lazy="joined")


class AuthSession(db.Model):
    """One sign-in: its access tokens and its rotating refresh token all name this row.

    Signing out revokes the row (every token of that sign-in stops working at once); a
    refresh moves ``refresh_generation`` on, so an old refresh token presented again is a
    replay and ends the whole session.
    """

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, in every token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    refresh_generation: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
