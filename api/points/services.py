"""爱心商家联盟: merchants, rewards, redemptions and a volunteer's points.

Concurrency is held by the database, not by Python:

* spending takes the volunteer's account row lock (:func:`api.points.ledger.lock_account`)
  before the balance is read, so two redemptions of one person are serialised and the
  second sees the first's entry: no overdraw;
* stock moves by one conditional UPDATE (``stock = stock - 1 WHERE stock > 0``) and a CHECK
  constraint refuses a negative value: of many volunteers after the last items, exactly as
  many win as there were items;
* a redemption leaves ``pending`` by a conditional UPDATE (confirmed by the merchant, or
  expired / cancelled and refunded), so it is confirmed or refunded, never both.

Locks are taken in one order (account, then reward), so two transactions never wait on
each other in a circle.
"""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from api.accounts import roles
from api.accounts.models import User
from api.accounts.services import grant_role
from api.audit.services import record as audit
from api.auth.permissions import covers, ensure_manages, scopes
from api.errors import Conflict, Forbidden, NotFound, ValidationFailed
from api.extensions import db
from api.pagination import paginate
from api.points import ledger
from api.points.models import (
    REDEEM,
    REFUND,
    Merchant,
    PointsEntry,
    Redemption,
    RedemptionStatus,
    Reward,
)
from api.timeutil import to_local, utcnow
from api.transactions import atomic
from api.units.models import Unit
from api.units.services import get_unit, in_subtree

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out at the counter
CODE_LENGTH = 12


class MerchantNotFound(NotFound):
    error, message = "merchant_not_found", "商家不存在"


class RewardNotFound(NotFound):
    error, message = "reward_not_found", "兑换商品不存在"


class RedemptionNotFound(NotFound):
    error, message = "redemption_not_found", "兑换记录不存在"


class RewardUnavailable(Conflict):
    error, message = "reward_unavailable", "该商品已下架"


class OutOfStock(Conflict):
    error, message = "out_of_stock", "商品已兑完"


class InsufficientPoints(Conflict):
    error, message = "insufficient_points", "积分不足"


class RedemptionClosed(Conflict):
    error, message = "redemption_closed", "该兑换已核销、过期或取消"


class RedemptionExpired(Conflict):
    error, message = "redemption_expired", "兑换码已过期，积分已退回"


class RedemptionAlreadyConfirmed(RedemptionClosed):
    """A second confirmation of one code: the reward was handed over already."""

    message = "该兑换码已核销，不能重复兑换"

    def __init__(self, confirmed_at: datetime | None = None) -> None:
        when = to_local(confirmed_at).strftime("%Y-%m-%d %H:%M") if confirmed_at else ""
        super().__init__(f"该兑换码已于 {when} 核销，不能重复兑换" if when else None)


class StockBelowZero(Conflict):
    error, message = "stock_below_zero", "库存不能小于零"




# --- my points ----------------------------------------------------------------------------


@dataclass
class Account:
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
    statement = (select(PointsEntry).where(PointsEntry.user_id == user.id)
                 .order_by(PointsEntry.id.desc()))
    entries = paginate(statement, page, per_page)
    year = ledger.local_year(now)
    balance = (ledger.balance(user.id, now) + ledger.unsynced_points(user.id, now)
               + _refunds_due(user.id, now))
    return Account(balance, year, date(year, 12, 31), entries.data, page, per_page,
                   entries.total)


def _refunds_due(user_id: int, now: datetime) -> int:
    """Points of this year held by the volunteer's redemptions past due, not yet refunded."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Redemption.points), 0))
        .join(PointsEntry, (PointsEntry.redemption_id == Redemption.id)
              & (PointsEntry.kind == REDEEM))
        .where(Redemption.user_id == user_id, Redemption.status == RedemptionStatus.PENDING,
               Redemption.expires_at <= now, PointsEntry.year == ledger.local_year(now))
    )


def show_effective_status(redemption: Redemption) -> Redemption:
    """Show a pending redemption past its time as expired, in memory only (set as if
    loaded, so nothing is flushed): the periodic task refunds it."""
    if redemption.status == RedemptionStatus.PENDING and redemption.expires_at <= utcnow():
        set_committed_value(redemption, "status", RedemptionStatus.EXPIRED)
    return redemption


# --- merchants and rewards ----------------------------------------------------------------


def get_merchant(merchant_id: int) -> Merchant:
    """:raises MerchantNotFound:"""
    merchant = db.session.get(Merchant, merchant_id)
    if merchant is None:
        raise MerchantNotFound()
    return merchant


def runs_merchant(user: User | None, merchant: Merchant) -> bool:
    """The merchant's admin, or an admin of its unit's tree."""
    if user is None:
        return False
    return merchant.admin_id == user.id or covers(user, merchant.unit, roles.MANAGING_ROLES)


def _ensure_runs(user: User, merchant: Merchant) -> None:
    if not runs_merchant(user, merchant):
        raise Forbidden("您不是该商家的管理员")


def merchants_query(unit_id: int | None = None) -> Select:
    """Active merchants, of a unit's subtree when given. :raises UnitNotFound:"""
    statement = (select(Merchant).join(Merchant.unit).where(Merchant.is_active.is_(True))
                 .order_by(Merchant.id))
    if unit_id is not None:
        statement = statement.where(in_subtree(get_unit(unit_id)))
    return statement


def my_merchants_query(user: User) -> Select:
    """The merchants ``user`` runs: as their merchant admin, or as an admin of their unit's
    tree (inactive ones included, to reopen them)."""
    statement = select(Merchant).join(Merchant.unit).order_by(Merchant.id)
    condition = Merchant.admin_id == user.id
    managed = scopes(user, roles.MANAGING_ROLES)
    if any(unit is None for unit in managed):
        return statement
    if managed:
        condition = or_(condition, *(in_subtree(unit) for unit in managed))
    return statement.where(condition)


def merchant_rewards_query(actor: User, merchant_id: int) -> Select:
    """All rewards of a merchant I run, withdrawn ones included, newest first.

    :raises MerchantNotFound, Forbidden:
    """
    merchant = get_merchant(merchant_id)
    _ensure_runs(actor, merchant)
    return (select(Reward).where(Reward.merchant_id == merchant.id)
            .order_by(Reward.id.desc()))


def create_merchant(actor: User, values: dict) -> Merchant:
    """A unit admin enrols a caring merchant and names its admin (who gets the
    ``merchant_admin`` role on the unit).

    :raises ValidationFailed: unknown unit or admin. :raises Forbidden: outside the subtree.
    """
    unit = db.session.get(Unit, values["unit_id"])
    if unit is None:
        raise ValidationFailed(errors={"unit_id": ["所选单位不存在"]})
    ensure_manages(actor, unit)
    admin = db.session.get(User, values["admin_id"])
    if admin is None:
        raise ValidationFailed(errors={"admin_id": ["用户不存在"]})
    with atomic():
        merchant = Merchant(**values, created_by_id=actor.id)
        db.session.add(merchant)
        db.session.flush()
        grant_role(actor, admin, roles.MERCHANT_ADMIN, unit, reason=f"爱心商家 {merchant.name}")
        audit(actor, "merchant.create", "merchant", merchant.id,
              details={"unit": unit.code, "admin_id": admin.id})
    return merchant


def update_merchant(actor: User, merchant_id: int, changes: dict) -> Merchant:
    """Change a merchant's details (its admin or the unit's admins)."""
    merchant = get_merchant(merchant_id)
    _ensure_runs(actor, merchant)
    with atomic():
        for name, value in changes.items():
            setattr(merchant, name, value)
        audit(actor, "merchant.update", "merchant", merchant.id, details=changes)
    return merchant


def get_reward(reward_id: int) -> Reward:
    """:raises RewardNotFound:"""
    reward = db.session.get(Reward, reward_id)
    if reward is None:
        raise RewardNotFound()
    return reward


def rewards_query(merchant_id: int | None = None, unit_id: int | None = None) -> Select:
    """Rewards on offer (active, of active merchants), cheapest first."""
    statement = (select(Reward).join(Reward.merchant).join(Merchant.unit)
                 .where(Reward.is_active.is_(True), Merchant.is_active.is_(True))
                 .order_by(Reward.points_cost, Reward.id))
    if merchant_id is not None:
        statement = statement.where(Reward.merchant_id == merchant_id)
    if unit_id is not None:
        statement = statement.where(in_subtree(get_unit(unit_id)))
    return statement


def create_reward(actor: User, merchant_id: int, values: dict) -> Reward:
    """The merchant puts a reward on offer. :raises Forbidden:"""
    merchant = get_merchant(merchant_id)
    _ensure_runs(actor, merchant)
    with atomic():
        reward = Reward(**values, merchant_id=merchant.id)
        db.session.add(reward)
        db.session.flush()
        audit(actor, "reward.create", "reward", reward.id,
              details={"merchant_id": merchant.id, "points_cost": reward.points_cost,
                       "stock": reward.stock})
    return reward


def update_reward(actor: User, reward_id: int, changes: dict) -> Reward:
    """Change a reward's name, description, price or availability (not its stock)."""
    reward = get_reward(reward_id)
    _ensure_runs(actor, reward.merchant)
    with atomic():
        for name, value in changes.items():
            setattr(reward, name, value)
        audit(actor, "reward.update", "reward", reward.id, details=changes)
    return reward


def restock(actor: User, reward_id: int, quantity: int) -> Reward:
    """Add (or, negative, withdraw) stock with one conditional UPDATE.

    :raises StockBelowZero: withdrawing more than is left.
    """
    reward = get_reward(reward_id)
    _ensure_runs(actor, reward.merchant)
    with atomic():
        moved = db.session.execute(
            update(Reward).where(Reward.id == reward.id, Reward.stock + quantity >= 0)
            .values(stock=Reward.stock + quantity, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if not moved:
            raise StockBelowZero()
        audit(actor, "reward.restock", "reward", reward.id, details={"quantity": quantity})
    db.session.refresh(reward)
    return reward


# --- redemptions ----------------------------------------------------------------------------


def _new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def redeem(user: User, reward_id: int) -> Redemption:
    """Spend points on one reward: the volunteer gets a code (and QR code) to show the
    merchant before it expires.

    :raises RewardNotFound: :raises RewardUnavailable: off the shelf.
    :raises InsufficientPoints: :raises OutOfStock:
    """
    reward = get_reward(reward_id)
    if not (reward.is_active and reward.merchant.is_active):
        raise RewardUnavailable()
    now = utcnow()
    # Items held by redemptions past due go back on the shelf first, and my own past-due
    # redemptions are refunded.
    expire_due_redemptions(now, reward_id=reward.id)
    expire_due_redemptions(now, user_id=user.id)
    with atomic():
        ledger.lock_account(user.id)
        ledger.sync(user.id, now)
        # Read under the lock: a concurrent redemption of this user has committed or waits.
        cost = db.session.scalar(select(Reward.points_cost).where(Reward.id == reward.id))
        if ledger.balance(user.id, now) < cost:
            raise InsufficientPoints()
        taken = db.session.execute(
            update(Reward)
            .where(Reward.id == reward.id, Reward.stock > 0, Reward.is_active.is_(True))
            .values(stock=Reward.stock - 1, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not taken:
            raise OutOfStock()
        hours = current_app.config["POINTS_REDEMPTION_HOURS"]
        redemption = Redemption(code=_new_code(), user_id=user.id, reward_id=reward.id,
                                merchant_id=reward.merchant_id, points=cost,
                                status=RedemptionStatus.PENDING,
                                created_at=now, expires_at=now + timedelta(hours=hours))
        db.session.add(redemption)
        db.session.flush()
        ledger.add_entry(user.id, REDEEM, -cost, ledger.local_year(now),
                         f"兑换：{reward.name}", redemption_id=redemption.id)
    return redemption


def my_redemptions_query(user: User) -> Select:
    """My redemptions, newest first (show them with :func:`show_effective_status`)."""
    return (select(Redemption).where(Redemption.user_id == user.id)
            .order_by(Redemption.id.desc()))


def get_my_redemption(user: User, redemption_id: int) -> Redemption:
    """:raises RedemptionNotFound: unknown, or someone else's."""
    redemption = db.session.get(Redemption, redemption_id)
    if redemption is None or redemption.user_id != user.id:
        raise RedemptionNotFound()
    return show_effective_status(redemption)


def _close(redemption_id: int, status: str, now: datetime, *,
           due_only: bool = False) -> Redemption | None:
    """Move a pending redemption to ``status`` and refund it: the points come back (into
    the year they were spent from) and the item goes back on the shelf. The caller holds
    the account lock. Returns None when it was not pending (or not due)."""
    condition = [Redemption.id == redemption_id, Redemption.status == RedemptionStatus.PENDING]
    if due_only:
        condition.append(Redemption.expires_at <= now)
    moved = db.session.execute(
        update(Redemption).where(*condition).values(status=status, closed_at=now)
        .returning(Redemption.id).execution_options(synchronize_session=False)
    ).first()
    if moved is None:
        return None
    redemption = db.session.get(Redemption, redemption_id, populate_existing=True)
    spent = db.session.scalar(select(PointsEntry).where(
        PointsEntry.redemption_id == redemption.id, PointsEntry.kind == REDEEM))
    ledger.add_entry(redemption.user_id, REFUND, redemption.points, spent.year,
                     ("兑换已过期，积分退回" if status == RedemptionStatus.EXPIRED
                      else "兑换已取消，积分退回"),
                     redemption_id=redemption.id)
    db.session.execute(update(Reward).where(Reward.id == redemption.reward_id)
                       .values(stock=Reward.stock + 1, updated_at=now)
                       .execution_options(synchronize_session=False))
    return redemption


def cancel_redemption(user: User, redemption_id: int) -> Redemption:
    """I give a redemption back before the merchant confirmed it: refunded at once.

    :raises RedemptionNotFound: :raises RedemptionClosed: already confirmed or closed.
    """
    redemption = get_my_redemption(user, redemption_id)
    with atomic():
        ledger.lock_account(user.id)
        if _close(redemption.id, RedemptionStatus.CANCELLED, utcnow()) is None:
            raise RedemptionClosed()
    db.session.refresh(redemption)
    return redemption


def expire_due_redemptions(now: datetime | None = None, *, user_id: int | None = None,
                           reward_id: int | None = None) -> int:
    """Expire and refund the pending redemptions past their time (one user's, one
    reward's, or all); each in its own transaction under its volunteer's account lock.
    Returns how many."""
    now = now or utcnow()
    due = select(Redemption.id, Redemption.user_id).where(
        Redemption.status == RedemptionStatus.PENDING, Redemption.expires_at <= now)
    if user_id is not None:
        due = due.where(Redemption.user_id == user_id)
    if reward_id is not None:
        due = due.where(Redemption.reward_id == reward_id)
    count = 0
    for redemption_id, owner_id in db.session.execute(due.order_by(Redemption.id)).all():
        with atomic():
            ledger.lock_account(owner_id)
            if _close(redemption_id, RedemptionStatus.EXPIRED, now, due_only=True) is not None:
                count += 1
    return count


def confirm(actor: User, code: str) -> Redemption:
    """The merchant scans (or types) a volunteer's code and hands the reward over.

    :raises RedemptionNotFound: unknown code. :raises Forbidden: another merchant's code.
    :raises RedemptionExpired: past its time (refunded). :raises RedemptionClosed:
    """
    redemption = db.session.scalar(select(Redemption).where(
        Redemption.code == code.strip().upper()))
    if redemption is None:
        raise RedemptionNotFound("兑换码无效")
    merchant = get_merchant(redemption.merchant_id)
    _ensure_runs(actor, merchant)
    now = utcnow()
    with atomic():
        confirmed = db.session.execute(
            update(Redemption)
            .where(Redemption.id == redemption.id, Redemption.status == RedemptionStatus.PENDING,
                   Redemption.expires_at > now)
            .values(status=RedemptionStatus.CONFIRMED, confirmed_at=now, confirmed_by_id=actor.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if confirmed:
            audit(actor, "redemption.confirm", "redemption", redemption.id,
                  details={"merchant_id": merchant.id, "reward_id": redemption.reward_id,
                           "points": redemption.points})
    if not confirmed:
        db.session.refresh(redemption)
        if redemption.status == RedemptionStatus.PENDING:  # past its time: refund it now
            expire_due_redemptions(now, user_id=redemption.user_id)
            raise RedemptionExpired()
        if redemption.status == RedemptionStatus.EXPIRED:
            raise RedemptionExpired()
        if redemption.status == RedemptionStatus.CONFIRMED:
            raise RedemptionAlreadyConfirmed(redemption.confirmed_at)
        raise RedemptionClosed()
    db.session.refresh(redemption)
    return redemption


def merchant_redemptions_query(actor: User, merchant_id: int,
                               status: str | None = None) -> Select:
    """A merchant's redemptions, newest first. :raises Forbidden:"""
    merchant = get_merchant(merchant_id)
    _ensure_runs(actor, merchant)
    statement = (select(Redemption).where(Redemption.merchant_id == merchant.id)
                 .order_by(Redemption.id.desc()))
    if status is not None:
        statement = statement.where(Redemption.status == status)
    return statement


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

