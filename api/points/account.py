"""爱心商家联盟: a volunteer's points account (this year's balance and the ledger) and
the periodic sync that keeps every account up to date."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from api.accounts.models import User
from api.extensions import db
from api.pagination import paginate
from api.points import ledger
from api.points.models import REDEEM, PointsEntry, Redemption, RedemptionStatus
from api.points.redemptions import expire_due_redemptions
from api.timeutil import utcnow
from api.transactions import atomic


@dataclass
class Account:
    """My points page: the balance, the year it is of and when it expires, a page of the
    ledger."""

    balance: int
    year: int
    expires_on: date
    entries: list[PointsEntry]
    page: int
    per_page: int
    total: int

    @property
    def pagination(self) -> dict:
        return {"page": self.page, "per_page": self.per_page, "total": self.total}


def my_account(user: User, page: int, per_page: int) -> Account:
    """My balance (this year's points), when it expires, and my ledger, newest first.

    Reads only: the balance already counts what the periodic ``points.sync`` task has yet
    to write down (new earnings, reversals, refunds of redemptions past due); the entries
    appear in the ledger when it has run.
    """
    now = utcnow()
    statement = (
        select(PointsEntry).where(PointsEntry.user_id == user.id).order_by(PointsEntry.id.desc())
    )
    entries = paginate(statement, page, per_page)
    year = ledger.local_year(now)
    balance = (
        ledger.balance(user.id, now)
        + ledger.unsynced_points(user.id, now)
        + _refunds_due(user.id, now)
    )
    return Account(balance, year, date(year, 12, 31), entries.data, page, per_page, entries.total)


def _refunds_due(user_id: int, now: datetime) -> int:
    """Points of this year held by the volunteer's redemptions past due, not yet refunded."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Redemption.points), 0))
        .join(
            PointsEntry, (PointsEntry.redemption_id == Redemption.id) & (PointsEntry.kind == REDEEM)
        )
        .where(
            Redemption.user_id == user_id,
            Redemption.status == RedemptionStatus.PENDING,
            Redemption.expires_at <= now,
            PointsEntry.year == ledger.local_year(now),
        )
    )


def sync_all(now: datetime | None = None) -> dict:
    """Bring every ledger up to date and refund every redemption past due (``flask points
    sync``); each volunteer in their own transaction."""
    now = now or utcnow()
    refunded = expire_due_redemptions(now)
    totals = {"volunteers": 0, "earned": 0, "reversed": 0, "expired": 0}
    for user_id in ledger.users_to_sync(now):
        with atomic():
            ledger.lock_account(user_id)
            changes = ledger.sync(user_id, now)
        totals["volunteers"] += 1
        for name, count in changes.items():
            totals[name] += count
    return {**totals, "redemptions_refunded": refunded}
