"""Who may do what: role checks that services call before they change anything, and the
scope rules that limit what a list shows to the actor's subtree."""

from sqlalchemy import or_

from api.accounts import roles
from api.accounts.models import User
from api.errors import Forbidden
from api.units.models import Unit
from api.units.tree import get_unit, in_subtree


def has_role(user: User | None, role: str) -> bool:
    """Whether ``user`` holds ``role`` anywhere. Everyone signed in is a resident."""
    if user is None:
        return False
    if role == roles.RESIDENT:
        return True
    if role == roles.VOLUNTEER and user.volunteer is not None:
        return True
    return any(grant.role == role for grant in user.grants)


def scopes(user: User | None, allowed_roles: tuple[str, ...]) -> list[Unit | None]:
    """The units on which ``user`` holds one of ``allowed_roles``; None means everywhere."""
    if user is None:
        return []
    return [grant.unit for grant in user.grants if grant.role in allowed_roles]


def county_wide(user: User | None, allowed_roles: tuple[str, ...]) -> bool:
    """Whether one of the user's grants in ``allowed_roles`` covers the whole county (a grant
    on no unit, or on the root of the tree)."""
    return any(scope is None or scope.parent_id is None for scope in scopes(user, allowed_roles))


def covers(user: User | None, unit: Unit, allowed_roles: tuple[str, ...]) -> bool:
    """Whether one of the user's grants in ``allowed_roles`` covers ``unit``'s subtree."""
    return any(scope is None or scope.covers(unit) for scope in scopes(user, allowed_roles))


def ensure_role(user: User | None, role: str) -> None:
    """:raises Forbidden: unless ``user`` holds ``role`` (or is an admin)."""
    if not (has_role(user, role) or has_role(user, roles.ADMIN)):
        raise Forbidden()


def ensure_manages(
    user: User | None, unit: Unit, allowed_roles: tuple[str, ...] = roles.MANAGING_ROLES
) -> None:
    """:raises Forbidden: unless ``user`` administers ``unit`` (directly or from above)."""
    if not covers(user, unit, allowed_roles):
        raise Forbidden("您只能管理本单位及下级单位的数据")


def scope_condition(
    actor: User, unit_id: int | None = None, allowed_roles: tuple[str, ...] = roles.ORGANIZER_ROLES
):
    """A SQL condition on a joined :class:`Unit`: the actor's subtree (or ``unit_id``'s,
    which must lie in it). None means no restriction (a county-wide grant).

    :raises UnitNotFound: :raises Forbidden: outside the actor's subtree or without a role.
    """
    if unit_id is not None:
        unit = get_unit(unit_id)
        ensure_manages(actor, unit, allowed_roles)
        return in_subtree(unit)
    granted = scopes(actor, allowed_roles)
    if not granted:
        raise Forbidden()
    if any(unit is None for unit in granted):
        return None
    return or_(*(in_subtree(unit) for unit in granted))
