"""Who administers whom: the people of an admin's subtree, role grants and password resets.

The rules:

* an administrator is someone holding a managing role (``unit_admin``, ``admin``) on a unit;
  they administer that unit's subtree and nothing else (a grant on no unit covers the county);
* roles have ranks; nobody grants, revokes or resets above the rank they hold over that unit
  (a ``unit_admin`` never makes an ``admin`` or an ``editor``, whose articles reach the whole
  county), and nobody changes their own roles or password here;
* a password reset, like any change of their roles, ends every session of the person.
"""

import secrets

from sqlalchemy import Select, or_, select

from api.accounts import roles
from api.accounts.models import RoleGrant, User, VolunteerProfile
from api.accounts.services import grant_role, hash_password, revoke_role, set_password
from api.audit.services import record as audit
from api.auth.permissions import county_wide, scope_condition
from api.errors import Conflict, Forbidden, NotFound
from api.extensions import db
from api.personal_data import lookup_hash
from api.transactions import atomic
from api.units.models import Unit
from api.units.tree import get_unit

#: Roles an administrator can hand out, with their rank (resident and volunteer are not
#: granted: everyone is a resident, and volunteers register themselves).
ROLE_RANK: dict[str, int] = {
    roles.TEAM_LEADER: 1,
    roles.MERCHANT_ADMIN: 1,
    roles.OFFICIAL: 1,
    roles.UNIT_ADMIN: 2,
    roles.EDITOR: 3,
    roles.ADMIN: 3,
}
GRANTABLE_ROLES: tuple[str, ...] = tuple(ROLE_RANK)
_MANAGER_RANK = {roles.UNIT_ADMIN: ROLE_RANK[roles.UNIT_ADMIN], roles.ADMIN: ROLE_RANK[roles.ADMIN]}


class UserNotFound(NotFound):
    error, message = "user_not_found", "用户不存在"


class GrantNotFound(NotFound):
    error, message = "role_grant_not_found", "该角色授权不存在"


class SelfAdministration(Forbidden):
    error, message = "self_administration", "不能修改自己的角色或密码，请联系上级管理员"


class RoleEscalation(Forbidden):
    error, message = "role_escalation", "不能授予或收回高于自己权限的角色"


class OutsideScope(Forbidden):
    error, message = "outside_scope", "您只能管理本单位及下级单位的人员"


class NotStaffAccount(Conflict):
    error, message = "not_staff_account", "该用户没有后台账号（用户名），无法重置密码"


class UsernameTaken(Conflict):
    error, message = "username_taken", "该用户名已被使用"


def get_user(user_id: int) -> User:
    """:raises UserNotFound:"""
    user = db.session.get(User, user_id)
    if user is None:
        raise UserNotFound()
    return user


def rank_over(actor: User, unit: Unit | None) -> int:
    """The highest rank ``actor`` holds over ``unit`` (None: the whole county); 0 for none."""
    ranks = [
        _MANAGER_RANK[grant.role]
        for grant in actor.grants
        if grant.role in _MANAGER_RANK
        and (grant.unit is None or (unit is not None and grant.unit.covers(unit)))
    ]
    return max(ranks, default=0)


def _ensure_may_handle(actor: User, unit: Unit | None, role: str) -> None:
    """:raises OutsideScope: ``unit`` is outside the actor's subtree.
    :raises RoleEscalation: ``role`` ranks above the actor there."""
    rank = rank_over(actor, unit)
    if rank == 0:
        raise OutsideScope()
    if ROLE_RANK.get(role, max(ROLE_RANK.values())) > rank:
        raise RoleEscalation()


def _ensure_not_self(actor: User, user: User) -> None:
    if actor.id == user.id:
        raise SelfAdministration()


def _ensure_administers(actor: User, user: User) -> None:
    """The actor may handle every grant ``user`` holds (or, without grants, their unit).

    :raises OutsideScope, RoleEscalation:
    """
    if user.grants:
        for grant in user.grants:
            _ensure_may_handle(actor, grant.unit, grant.role)
        return
    home = user.volunteer.unit if user.volunteer is not None else None
    _ensure_may_handle(actor, home, roles.TEAM_LEADER)


def users_query(
    actor: User, *, q: str | None = None, unit_id: int | None = None, role: str | None = None
) -> Select:
    """People of the actor's subtree (holding a role there or volunteering there), newest
    first; ``q`` matches username, nickname or real name, or a whole phone number.

    :raises Forbidden: without a managing role. :raises UnitNotFound:
    """
    condition = scope_condition(actor, unit_id, roles.MANAGING_ROLES)
    if unit_id is None and county_wide(actor, roles.MANAGING_ROLES):
        condition = None  # everyone, newcomers without a role or a unit too
    granted = select(RoleGrant.user_id).join(Unit, RoleGrant.unit_id == Unit.id)
    volunteering = select(VolunteerProfile.user_id).join(Unit, VolunteerProfile.unit_id == Unit.id)
    if condition is not None:
        granted = granted.where(condition)
        volunteering = volunteering.where(condition)
    if role is not None:
        granted = granted.where(RoleGrant.role == role)
    statement = select(User).outerjoin(User.volunteer).order_by(User.id.desc())
    if role is not None:
        if condition is None and unit_id is None:  # county-wide: county-wide grants too
            granted = select(RoleGrant.user_id).where(RoleGrant.role == role)
        statement = statement.where(User.id.in_(granted))
    elif condition is not None:
        statement = statement.where(or_(User.id.in_(granted), User.id.in_(volunteering)))
    if q:
        text = q.strip()
        matches = [
            column.icontains(text, autoescape=True)
            for column in (User.username, User.nickname, VolunteerProfile.real_name)
        ]
        if text.isdigit() and len(text) == 11:
            matches.append(VolunteerProfile.phone_hash == lookup_hash(text))
        statement = statement.where(or_(*matches))
    return statement


def get_user_in_scope(actor: User, user_id: int) -> User:
    """One person of the actor's subtree. :raises UserNotFound: unknown or outside it."""
    user = db.session.scalar(users_query(actor).where(User.id == user_id))
    if user is None:
        raise UserNotFound()
    return user


@atomic()
def grant(actor: User, user_id: int, role: str, unit_id: int, reason: str = "") -> RoleGrant:
    """Give a person a role on a unit of the actor's subtree (an identical grant is kept).

    :raises UserNotFound, UnitNotFound, SelfAdministration, OutsideScope, RoleEscalation:
    """
    user = get_user(user_id)
    _ensure_not_self(actor, user)
    unit = get_unit(unit_id)
    _ensure_may_handle(actor, unit, role)
    role_grant = grant_role(actor, user, role, unit, reason=reason)
    return role_grant


@atomic()
def revoke(actor: User, grant_id: int, reason: str = "") -> None:
    """Take a role back. :raises GrantNotFound, SelfAdministration, OutsideScope,
    RoleEscalation:"""
    role_grant = db.session.get(RoleGrant, grant_id)
    if role_grant is None:
        raise GrantNotFound()
    _ensure_not_self(actor, role_grant.user)
    _ensure_may_handle(actor, role_grant.unit, role_grant.role)
    revoke_role(actor, role_grant.user, role_grant.role, role_grant.unit, reason=reason)


def new_password() -> str:
    """A one-time password to hand over (16 URL-safe characters)."""
    return secrets.token_urlsafe(12)


@atomic()
def reset_password(actor: User, user_id: int, password: str | None = None) -> str:
    """Set a staff member's password (a generated one when none is given) and sign them out
    everywhere. Returns the password, never logged.

    :raises UserNotFound, SelfAdministration, NotStaffAccount, OutsideScope, RoleEscalation:
    """
    user = get_user(user_id)
    _ensure_not_self(actor, user)
    if not user.username:
        raise NotStaffAccount()
    _ensure_administers(actor, user)
    password = password or new_password()
    set_password(user, password)  # ends every session of theirs
    audit(actor, "user.password_reset", "user", user.id, details={"signed_out": True})
    return password


@atomic()
def create_staff(
    actor: User, username: str, nickname: str, role: str, unit_id: int
) -> tuple[User, str]:
    """Open a staff account with one role and a one-time password.

    :raises UsernameTaken, UnitNotFound, OutsideScope, RoleEscalation:
    """
    unit = get_unit(unit_id)
    _ensure_may_handle(actor, unit, role)
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UsernameTaken(errors={"username": [UsernameTaken.message]})
    password = new_password()
    user = User(
        username=username, nickname=nickname or username, password_hash=hash_password(password)
    )
    db.session.add(user)
    db.session.flush()
    audit(actor, "user.create", "user", user.id, details={"username": username})
    grant_role(actor, user, role, unit, reason="开通后台账号")
    return user, password
