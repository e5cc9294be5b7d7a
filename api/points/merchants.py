"""爱心商家联盟: the caring merchants and the rewards they offer for points, enrolled by the
admins of a unit and run by the merchant's own admin.

Stock moves by one conditional UPDATE and a CHECK constraint refuses a negative value (see
:mod:`api.points.redemptions` for the redemptions that take it).
"""

from sqlalchemy import Select, or_, select, update

from api.accounts import roles
from api.accounts.models import User
from api.accounts.services import grant_role
from api.audit.services import record as audit
from api.auth.permissions import covers, ensure_manages, scopes
from api.errors import Conflict, Forbidden, NotFound, ValidationFailed
from api.extensions import db
from api.points.models import Merchant, Reward
from api.timeutil import utcnow
from api.transactions import atomic
from api.units.models import Unit
from api.units.tree import get_unit, in_subtree


class MerchantNotFound(NotFound):
    error, message = "merchant_not_found", "商家不存在"


class RewardNotFound(NotFound):
    error, message = "reward_not_found", "兑换商品不存在"


class StockBelowZero(Conflict):
    error, message = "stock_below_zero", "库存不能小于零"


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


def ensure_runs(user: User, merchant: Merchant) -> None:
    """:raises Forbidden: unless ``user`` runs the merchant (:func:`runs_merchant`)."""
    if not runs_merchant(user, merchant):
        raise Forbidden("您不是该商家的管理员")


def merchants_query(unit_id: int | None = None) -> Select:
    """Active merchants, of a unit's subtree when given. :raises UnitNotFound:"""
    statement = (
        select(Merchant)
        .join(Merchant.unit)
        .where(Merchant.is_active.is_(True))
        .order_by(Merchant.id)
    )
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
    ensure_runs(actor, merchant)
    return select(Reward).where(Reward.merchant_id == merchant.id).order_by(Reward.id.desc())


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
        audit(
            actor,
            "merchant.create",
            "merchant",
            merchant.id,
            details={"unit": unit.code, "admin_id": admin.id},
        )
    return merchant


def update_merchant(actor: User, merchant_id: int, changes: dict) -> Merchant:
    """Change a merchant's details (its admin or the unit's admins)."""
    merchant = get_merchant(merchant_id)
    ensure_runs(actor, merchant)
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
    statement = (
        select(Reward)
        .join(Reward.merchant)
        .join(Merchant.unit)
        .where(Reward.is_active.is_(True), Merchant.is_active.is_(True))
        .order_by(Reward.points_cost, Reward.id)
    )
    if merchant_id is not None:
        statement = statement.where(Reward.merchant_id == merchant_id)
    if unit_id is not None:
        statement = statement.where(in_subtree(get_unit(unit_id)))
    return statement


def create_reward(actor: User, merchant_id: int, values: dict) -> Reward:
    """The merchant puts a reward on offer. :raises Forbidden:"""
    merchant = get_merchant(merchant_id)
    ensure_runs(actor, merchant)
    with atomic():
        reward = Reward(**values, merchant_id=merchant.id)
        db.session.add(reward)
        db.session.flush()
        audit(
            actor,
            "reward.create",
            "reward",
            reward.id,
            details={
                "merchant_id": merchant.id,
                "points_cost": reward.points_cost,
                "stock": reward.stock,
            },
        )
    return reward


def update_reward(actor: User, reward_id: int, changes: dict) -> Reward:
    """Change a reward's name, description, price or availability (not its stock)."""
    reward = get_reward(reward_id)
    ensure_runs(actor, reward.merchant)
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
    ensure_runs(actor, reward.merchant)
    with atomic():
        moved = db.session.execute(
            update(Reward)
            .where(Reward.id == reward.id, Reward.stock + quantity >= 0)
            .values(stock=Reward.stock + quantity, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if not moved:
            raise StockBelowZero()
        audit(actor, "reward.restock", "reward", reward.id, details={"quantity": quantity})
    db.session.refresh(reward)
    return reward
