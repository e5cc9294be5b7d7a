"""Statistics kept by a periodic task, so that the common answers are never computed
inside a request.

At county scale one answer scans a million and a half service records (seconds of the
database). The task ``stats.refresh`` computes the whole-time answer of the county and of
every township (institute) and stores it; ``GET /stats`` without dates for those scopes
reads one row. Other scopes and date ranges are computed on demand (with the in-process
cache of :mod:`api.stats.services`), as is a snapshot from an earlier local day (this
month's and this year's figures would be wrong) or one older than
``STATS_SNAPSHOT_MAX_AGE_SECONDS`` (the task has stopped).
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db_types import UTCDateTime
from api.extensions import db
from api.timeutil import to_local, utcnow

COUNTY = "county"
TOWNSHIP_LEVEL = "institute"


class StatsSnapshot(db.Model):
    """The last computed whole-time statistics of one scope (``county`` or a unit id)."""

    __tablename__ = "stats_snapshots"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    answer: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _scope_key(unit_id: int | None) -> str:
    return COUNTY if unit_id is None else str(unit_id)


def read_snapshot(unit_id: int | None) -> dict | None:
    """The stored answer of a scope when it is of today and fresh enough, else None."""
    snapshot = db.session.get(StatsSnapshot, _scope_key(unit_id))
    if snapshot is None:
        return None
    now = utcnow()
    age = (now - snapshot.computed_at).total_seconds()
    if (
        to_local(snapshot.computed_at).date() != to_local(now).date()
        or age > current_app.config["STATS_SNAPSHOT_MAX_AGE_SECONDS"]
    ):
        return None
    return {**snapshot.answer, "generated_at": snapshot.computed_at}


def store_snapshot(unit_id: int | None, answer: dict, computed_at: datetime) -> None:
    """Keep ``answer`` as the snapshot of the county (None) or a township (no commit)."""
    stored = {**answer, "generated_at": None}
    key = _scope_key(unit_id)
    snapshot = db.session.get(StatsSnapshot, key)
    if snapshot is None:
        db.session.add(StatsSnapshot(scope=key, answer=stored, computed_at=computed_at))
    else:
        snapshot.answer, snapshot.computed_at = stored, computed_at
