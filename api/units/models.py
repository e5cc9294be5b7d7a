"""The unit tree (center → institute → station) and volunteer teams."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.db_types import UTCDateTime
from api.extensions import db
from api.timeutil import utcnow


class Unit(db.Model):
    """A practice post (阵地). ``path`` holds the codes from the root (``LY/LY-JL/LY-JL-YFC``)
    so that "this unit and everything below it" is one indexed prefix query."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    path: Mapped[str] = mapped_column(String(255), index=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped["Unit | None"] = relationship(remote_side="Unit.id", back_populates="children")
    children: Mapped[list["Unit"]] = relationship(back_populates="parent", order_by="Unit.code")

    def covers(self, other: "Unit") -> bool:
        """Whether ``other`` is this unit or lies in its subtree."""
        return other.path == self.path or other.path.startswith(self.path + "/")


class Team(db.Model):
    """A volunteer service team (志愿服务队) of one of the 11+N categories."""

    __tablename__ = "teams"
    __table_args__ = (Index("ix_teams_unit_category", "unit_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    leader_name: Mapped[str] = mapped_column(String(40), default="")
    member_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
