"""Help requests (我来帮) and the people who take them for a team.

The requester's name, phone and address are stored encrypted (``*_encrypted``), with a
keyed hash of the phone so hotline staff find a caller's earlier requests; they are
decrypted only for the dispatchers in scope, the assigned team and the requester (see
:func:`api.help.privacy.present`).
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.accounts.models import User
from api.activities.models import Activity
from api.db_types import UTCDateTime
from api.extensions import db
from api.help.states import HelpStatus
from api.timeutil import utcnow
from api.units.models import Team, Unit


class HelpRequest(db.Model):
    """One request for help. ``status`` moves only along :data:`api.help.states.TRANSITIONS`,
    each move a conditional UPDATE on the status it leaves."""

    __tablename__ = "help_requests"
    __table_args__ = (
        # The dispatchers' queue (oldest waiting first) and the public board.
        Index("ix_help_requests_status_created", "status", "created_at", "id"),
        Index("ix_help_requests_unit_status", "unit_id", "status"),
        Index("ix_help_requests_requester", "requester_id", "id"),
        Index("ix_help_requests_team_status", "team_id", "status"),
        # Ratings still open: settled as "satisfied" after HELP_AUTO_RATE_DAYS.
        Index("ix_help_requests_status_completed", "status", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # app | hotline
    status: Mapped[str] = mapped_column(String(16), default=HelpStatus.SUBMITTED)
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    preferred_time: Mapped[str] = mapped_column(String(100), default="")
    contact_name_encrypted: Mapped[str] = mapped_column(String(255))
    phone_encrypted: Mapped[str] = mapped_column(String(255))
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    address_encrypted: Mapped[str] = mapped_column(String(1024))
    # Where the request waits (its dispatchers are the admins covering it) and its
    # township (所), the one place a public listing names.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    township_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # pass | review (held until a dispatcher releases it) | staff (typed in by hotline staff)
    moderation: Mapped[str] = mapped_column(String(16))
    # The current assignee: a team, or a station that claimed the request itself.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    claimed_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    reject_reason: Mapped[str] = mapped_column(String(255), default="")
    cancel_reason: Mapped[str] = mapped_column(String(255), default="")
    completion_report: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_comment: Mapped[str] = mapped_column(String(500), default="")
    # A comment WeChat's check wants a person to look at: shown to dispatchers only.
    rating_comment_held: Mapped[bool] = mapped_column(default=False)
    auto_rated: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # First dispatch (time to dispatch is measured to it) and the current assignment.
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # rejected, cancelled
    # When the dispatchers were told it waits too long (to be dispatched or accepted).
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Bumped by every move: a move is an UPDATE conditioned on the version it read, so of
    # two concurrent moves (even two re-dispatches, which keep the status) one wins.
    version: Mapped[int] = mapped_column(default=0)

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id], lazy="joined")
    township: Mapped[Unit | None] = relationship(foreign_keys=[township_id], lazy="joined")
    claimed_unit: Mapped[Unit | None] = relationship(foreign_keys=[claimed_unit_id])
    team: Mapped[Team | None] = relationship(lazy="joined")
    activity: Mapped[Activity | None] = relationship()
    requester: Mapped[User | None] = relationship(foreign_keys=[requester_id])

    # Set per viewer by :func:`api.help.privacy.present`, not stored: the contact data as
    # this viewer may see it (decrypted, masked or None), their role and their next moves.
    contact_name = phone = address = None
    viewer_role = None
    actions = ()


class HelpResponder(db.Model):
    """A person who takes help requests for a team (接单人): they see the requests
    dispatched to it, with the requester's contact data, and accept and complete them."""

    __tablename__ = "help_responders"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
