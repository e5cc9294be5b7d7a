"""爱心商家联盟: redemptions, from spending points on a reward to the merchant's confirmation
at the counter, or the refund of one given back or past its time.

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
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, select, update
from sqlalchemy.orm.attributes import set_committed_value

from api.accounts.models import User
from api.audit.services import record as audit
from api.errors import Conflict, NotFound
from api.extensions import db
from api.points import ledger
from api.points.merchants import ensure_runs, get_merchant, get_reward
from api.points.models import (
    REDEEM,
    REFUND,
    PointsEntry,
    Redemption,
    RedemptionStatus,
    Reward,
)
from api.timeutil import to_local, utcnow
from api.transactions import atomic

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out at the counter
CODE_LENGTH = 12


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


def show_effective_status(redemption: Redemption) -> Redemption:
    """Show a pending redemption past its time as expired, in memory only (set as if
    loaded, so nothing is flushed): the periodic task refunds it."""
    if redemption.status == RedemptionStatus.PENDING and redemption.expires_at <= utcnow():
        set_committed_value(redemption, "status", RedemptionStatus.EXPIRED)
    return redemption


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
        redemption = Redemption(
            code=_new_code(),
            user_id=user.id,
            reward_id=reward.id,
            merchant_id=reward.merchant_id,
            points=cost,
            status=RedemptionStatus.PENDING,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
        db.session.add(redemption)
        db.session.flush()
        ledger.add_entry(
            user.id,
            REDEEM,
            -cost,
            ledger.local_year(now),
            f"兑换：{reward.name}",
            redemption_id=redemption.id,
        )
    return redemption


def my_redemptions_query(user: User) -> Select:
    """My redemptions, newest first (show them with :func:`show_effective_status`)."""
    return select(Redemption).where(Redemption.user_id == user.id).order_by(Redemption.id.desc())


def get_my_redemption(user: User, redemption_id: int) -> Redemption:
    """:raises RedemptionNotFound: unknown, or someone else's."""
    redemption = db.session.get(Redemption, redemption_id)
    if redemption is None or redemption.user_id != user.id:
        raise RedemptionNotFound()
    return show_effective_status(redemption)


def _close(
    redemption_id: int, status: str, now: datetime, *, due_only: bool = False
) -> Redemption | None:
    """Move a pending redemption to ``status`` and refund it: the points come back (into
    the year they were spent from) and the item goes back on the shelf. The caller holds
    the account lock. Returns None when it was not pending (or not due)."""
    condition = [Redemption.id == redemption_id, Redemption.status == RedemptionStatus.PENDING]
    if due_only:
        condition.append(Redemption.expires_at <= now)
    moved = db.session.execute(
        update(Redemption)
        .where(*condition)
        .values(status=status, closed_at=now)
        .returning(Redemption.id)
        .execution_options(synchronize_session=False)
    ).first()
    if moved is None:
        return None
    redemption = db.session.get(Redemption, redemption_id, populate_existing=True)
    spent = db.session.scalar(
        select(PointsEntry).where(
            PointsEntry.redemption_id == redemption.id, PointsEntry.kind == REDEEM
        )
    )
    ledger.add_entry(
        redemption.user_id,
        REFUND,
        redemption.points,
        spent.year,
        ("兑换已过期，积分退回" if status == RedemptionStatus.EXPIRED else "兑换已取消，积分退回"),
        redemption_id=redemption.id,
    )
    db.session.execute(
        update(Reward)
        .where(Reward.id == redemption.reward_id)
        .values(stock=Reward.stock + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
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


def expire_due_redemptions(
    now: datetime | None = None, *, user_id: int | None = None, reward_id: int | None = None
) -> int:
    """Expire and refund the pending redemptions past their time (one user's, one
    reward's, or all); each in its own transaction under its volunteer's account lock.
    Returns how many."""
    now = now or utcnow()
    due = select(Redemption.id, Redemption.user_id).where(
        Redemption.status == RedemptionStatus.PENDING, Redemption.expires_at <= now
    )
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
    redemption = db.session.scalar(
        select(Redemption).where(Redemption.code == code.strip().upper())
    )
    if redemption is None:
        raise RedemptionNotFound("兑换码无效")
    merchant = get_merchant(redemption.merchant_id)
    ensure_runs(actor, merchant)
    now = utcnow()
    with atomic():
        confirmed = db.session.execute(
            update(Redemption)
            .where(
                Redemption.id == redemption.id,
                Redemption.status == RedemptionStatus.PENDING,
                Redemption.expires_at > now,
            )
            .values(status=RedemptionStatus.CONFIRMED, confirmed_at=now, confirmed_by_id=actor.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if confirmed:
            audit(
                actor,
                "redemption.confirm",
                "redemption",
                redemption.id,
                details={
                    "merchant_id": merchant.id,
                    "reward_id": redemption.reward_id,
                    "points": redemption.points,
                },
            )
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


def merchant_redemptions_query(actor: User, merchant_id: int, status: str | None = None) -> Select:
    """A merchant's redemptions, newest first. :raises Forbidden:"""
    merchant = get_merchant(merchant_id)
    ensure_runs(actor, merchant)
    statement = (
        select(Redemption)
        .where(Redemption.merchant_id == merchant.id)
        .order_by(Redemption.id.desc())
    )
    if status is not None:
        statement = statement.where(Redemption.status == status)
    return statement
