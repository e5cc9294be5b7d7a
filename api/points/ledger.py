"""The points ledger: the account lock, earning from approved check-in hours, reversal of
voided records, year-end expiry and the balance.

Earning is derived from the hours ledger rather than pushed by it: :func:`sync` appends an
``earn`` entry for every approved check-in record that has none (keyed on the record id,
unique in the database, so it is written once however often it runs) and a ``reverse``
entry for every earned record since voided (a correction earns again through its new
record). Manual and help-request records never earn. ``sync`` runs under the volunteer's
account lock, before their balance is read or spent, and for everybody in
``flask points sync``.
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import aliased

from api.extensions import db
from api.hours.models import CHECKIN, RecordStatus, ServiceRecord
from api.points.models import EARN, EXPIRE, REVERSE, PointsAccount, PointsEntry
from api.sql_upsert import dialect_insert
from api.timeutil import to_local, utcnow


def local_year(moment: datetime | None = None) -> int:
    """The calendar year (Asia/Shanghai) of ``moment`` (now by default)."""
    return to_local(moment or utcnow()).year


def points_for(minutes: int) -> int:
    """Points of ``minutes`` of approved service: POINTS_PER_HOUR per hour, pro rata,
    rounded down (90 min at 10 per hour → 15)."""
    return minutes * current_app.config["POINTS_PER_HOUR"] // 60


def _insert(model):
    """An INSERT that can skip rows already there (ON CONFLICT DO NOTHING)."""
    return dialect_insert(model, db.session.get_bind().dialect.name)


def lock_account(user_id: int) -> None:
    """Take the volunteer's account row lock for the rest of the transaction (creating the
    row on first use). The UPDATE is the lock: a row lock on PostgreSQL, the write lock on
    SQLite; every write to this volunteer's ledger goes through here first."""
    db.session.execute(
        _insert(PointsAccount)
        .values(user_id=user_id, lock_version=0, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id"])
    )
    db.session.execute(
        update(PointsAccount)
        .where(PointsAccount.user_id == user_id)
        .values(lock_version=PointsAccount.lock_version + 1)
        .execution_options(synchronize_session=False)
    )


def balance(user_id: int, now: datetime | None = None) -> int:
    """Spendable points: the sum of this year's entries (older points have expired)."""
    return db.session.scalar(
        select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
            PointsEntry.user_id == user_id, PointsEntry.year == local_year(now)
        )
    )


def add_entry(
    user_id: int, kind: str, points: int, year: int, note: str = "", **links
) -> PointsEntry:
    """Append one entry to the caller's transaction (the caller holds the account lock)."""
    entry = PointsEntry(user_id=user_id, kind=kind, points=points, year=year, note=note, **links)
    db.session.add(entry)
    db.session.flush()
    return entry


def _unearned(user_id: int) -> list:
    """Approved check-in records of the volunteer that have no ``earn`` entry yet."""
    earned = aliased(PointsEntry)
    return db.session.execute(
        select(
            ServiceRecord.id,
            ServiceRecord.credited_minutes,
            ServiceRecord.reviewed_at,
            ServiceRecord.created_at,
        )
        .outerjoin(earned, and_(earned.service_record_id == ServiceRecord.id, earned.kind == EARN))
        .where(
            ServiceRecord.user_id == user_id,
            ServiceRecord.source == CHECKIN,
            ServiceRecord.status == RecordStatus.APPROVED,
            earned.id.is_(None),
        )
        .order_by(ServiceRecord.id)
    ).all()


def _earn(user_id: int) -> int:
    count = 0
    for record_id, minutes, reviewed_at, created_at in _unearned(user_id):
        points = points_for(minutes)
        if points <= 0:
            continue
        # Earned when approved: the points expire at the end of that year.
        add_entry(
            user_id,
            EARN,
            points,
            local_year(reviewed_at or created_at),
            f"服务时长 {minutes} 分钟",
            service_record_id=record_id,
        )
        count += 1
    return count


def _unreversed(user_id: int) -> list:
    """Earned entries whose record is no longer approved and has no ``reverse`` entry."""
    earned, reversed_ = aliased(PointsEntry), aliased(PointsEntry)
    return db.session.execute(
        select(earned.service_record_id, earned.points, earned.year)
        .join(ServiceRecord, ServiceRecord.id == earned.service_record_id)
        .outerjoin(
            reversed_,
            and_(
                reversed_.service_record_id == earned.service_record_id, reversed_.kind == REVERSE
            ),
        )
        .where(
            earned.user_id == user_id,
            earned.kind == EARN,
            ServiceRecord.status != RecordStatus.APPROVED,
            reversed_.id.is_(None),
        )
        .order_by(earned.id)
    ).all()


def _reverse(user_id: int) -> int:
    rows = _unreversed(user_id)
    for record_id, points, year in rows:
        add_entry(
            user_id, REVERSE, -points, year, "服务记录已作废或更正", service_record_id=record_id
        )
    return len(rows)


def unsynced_points(user_id: int, now: datetime | None = None) -> int:
    """What :func:`sync` would add to this year's balance (earnings not yet written, minus
    reversals not yet written), computed without writing: readers add it to the balance
    until the periodic ``points.sync`` task writes the entries."""
    year = local_year(now)
    earned = sum(
        points_for(minutes)
        for _, minutes, reviewed_at, created_at in _unearned(user_id)
        if local_year(reviewed_at or created_at) == year
    )
    reversed_ = sum(points for _, points, entry_year in _unreversed(user_id) if entry_year == year)
    return earned - reversed_


def _expire(user_id: int, now: datetime) -> int:
    """Write down the expiry of every past year still holding points."""
    rows = db.session.execute(
        select(PointsEntry.year, func.sum(PointsEntry.points))
        .where(PointsEntry.user_id == user_id, PointsEntry.year < local_year(now))
        .group_by(PointsEntry.year)
        .having(func.sum(PointsEntry.points) > 0)
        .order_by(PointsEntry.year)
    ).all()
    for year, left in rows:
        add_entry(user_id, EXPIRE, -left, year, f"{year} 年积分年底清零")
    return len(rows)


def sync(user_id: int, now: datetime | None = None) -> dict:
    """Bring one volunteer's ledger up to date (the caller holds the account lock)."""
    now = now or utcnow()
    return {
        "earned": _earn(user_id),
        "reversed": _reverse(user_id),
        "expired": _expire(user_id, now),
    }


def users_to_sync(now: datetime | None = None) -> list[int]:
    """Volunteers whose ledger :func:`sync` would change."""
    earned, reversed_ = aliased(PointsEntry), aliased(PointsEntry)
    unearned = (
        select(ServiceRecord.user_id)
        .outerjoin(earned, and_(earned.service_record_id == ServiceRecord.id, earned.kind == EARN))
        .where(
            ServiceRecord.source == CHECKIN,
            ServiceRecord.status == RecordStatus.APPROVED,
            ServiceRecord.credited_minutes * current_app.config["POINTS_PER_HOUR"] >= 60,
            earned.id.is_(None),
        )
    )
    unreversed = (
        select(earned.user_id)
        .join(ServiceRecord, ServiceRecord.id == earned.service_record_id)
        .outerjoin(
            reversed_,
            and_(
                reversed_.service_record_id == earned.service_record_id, reversed_.kind == REVERSE
            ),
        )
        .where(
            earned.kind == EARN,
            ServiceRecord.status != RecordStatus.APPROVED,
            reversed_.id.is_(None),
        )
    )
    unexpired = (
        select(PointsEntry.user_id)
        .where(PointsEntry.year < local_year(now))
        .group_by(PointsEntry.user_id, PointsEntry.year)
        .having(func.sum(PointsEntry.points) > 0)
    )
    user_ids: set[int] = set()
    for statement in (unearned, unreversed, unexpired):
        user_ids.update(db.session.scalars(statement.distinct()))
    return sorted(user_ids)
