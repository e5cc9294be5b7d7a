"""A child added by a guardian, and the guardian's consent."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.accounts.models import User
from api.db_types import UTCDateTime
from api.extensions import db
from api.timeutil import utcnow


class FamilyMember(db.Model):
    """A guardian's child. The child's own user row carries its sign-ups, hours and
    certificates; the real name and ID number live here (the ID number encrypted, with a keyed
    hash for uniqueness) and are answered masked."""

    __tablename__ = "family_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    real_name: Mapped[str] = mapped_column(String(40))
    birth_date: Mapped[date]
    relation: Mapped[str] = mapped_column(String(10), default="子女")
    id_number_encrypted: Mapped[str | None] = mapped_column(String(255))
    id_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The guardian's consent: when, to which version of the text; withdrawn when set.
    consent_version: Mapped[str] = mapped_column(String(20))
    consent_given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    guardian: Mapped[User] = relationship(foreign_keys=[guardian_id])
    child: Mapped[User] = relationship(foreign_keys=[child_id])

    @property
    def consented(self) -> bool:
        return self.consent_withdrawn_at is None
