"""The unit tree and teams: listing, and changes by the admins of a subtree."""

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from api.accounts.models import User
from api.audit.services import record as audit
from api.auth.permissions import ensure_manages
from api.errors import Conflict, ValidationFailed
from api.extensions import db
from api.transactions import atomic
from api.units.categories import PARENT_LEVEL
from api.units.models import Team, Unit
from api.units.tree import get_team, get_unit, in_subtree


class UnitCodeTaken(Conflict):
    error, message = "unit_code_taken", "该单位编码已被使用"


def units_query(parent_id: int | None = None, level: str | None = None) -> Select:
    """Units ordered by code, optionally children of ``parent_id`` or of one ``level``."""
    statement = select(Unit).order_by(Unit.code)
    if parent_id is not None:
        statement = statement.where(Unit.parent_id == parent_id)
    if level is not None:
        statement = statement.where(Unit.level == level)
    return statement


def teams_query(unit_id: int | None = None, category: str | None = None) -> Select:
    """Teams ordered by code; ``unit_id`` covers the unit's whole subtree.

    :raises UnitNotFound: when ``unit_id`` names no unit.
    """
    statement = (
        select(Team)
        .join(Team.unit)
        # Each team is shown with its unit's name: from the join, not a query per unit.
        .options(contains_eager(Team.unit))
        .order_by(Team.code, Team.id)
    )
    if unit_id is not None:
        statement = statement.where(in_subtree(get_unit(unit_id)))
    if category is not None:
        statement = statement.where(Team.category == category)
    return statement


@atomic()
def update_unit(actor: User, unit_id: int, changes: dict) -> Unit:
    """Change a unit's contact data. :raises Forbidden: outside the actor's subtree."""
    unit = get_unit(unit_id)
    ensure_manages(actor, unit)
    for name, value in changes.items():
        setattr(unit, name, value)
    audit(actor, "unit.update", "unit", unit.id, details=changes)
    return unit


def _child_level(parent: Unit) -> str:
    """The level of a new unit under ``parent``. :raises ValidationFailed: under a station."""
    for level, parent_level in PARENT_LEVEL.items():
        if parent_level == parent.level:
            return level
    raise ValidationFailed(errors={"parent_id": ["实践站下不能再设下级单位"]})


@atomic()
def create_unit(actor: User, data: dict) -> Unit:
    """Open a unit (an institute under the center, a station under an institute) in the
    actor's subtree; its level follows from its parent's.

    :raises ValidationFailed: unknown parent, or a station as parent.
    :raises Forbidden: outside the subtree. :raises UnitCodeTaken:
    """
    parent = db.session.get(Unit, data["parent_id"])
    if parent is None:
        raise ValidationFailed(errors={"parent_id": ["上级单位不存在"]})
    ensure_manages(actor, parent)
    level = _child_level(parent)
    if db.session.scalar(select(Unit.id).where(Unit.code == data["code"])) is not None:
        raise UnitCodeTaken(errors={"code": [UnitCodeTaken.message]})
    unit = Unit(**data, level=level, path=f"{parent.path}/{data['code']}")
    db.session.add(unit)
    db.session.flush()
    audit(actor, "unit.create", "unit", unit.id, details={"code": unit.code, "parent": parent.code})
    return unit


@atomic()
def create_team(actor: User, data: dict) -> Team:
    """Create a team in a unit. :raises Forbidden: outside the actor's subtree."""
    unit = db.session.get(Unit, data["unit_id"])
    if unit is None:
        raise ValidationFailed(errors={"unit_id": ["所选单位不存在"]})
    ensure_manages(actor, unit)
    team = Team(**data)
    db.session.add(team)
    db.session.flush()
    audit(actor, "team.create", "team", team.id, details={"unit": unit.code})
    return team


@atomic()
def update_team(actor: User, team_id: int, changes: dict) -> Team:
    """Change a team; moving it needs rights on both units.

    :raises TeamNotFound:
    :raises Forbidden: when the team or its new unit is outside the actor's subtree.
    """
    team = get_team(team_id)
    ensure_manages(actor, team.unit)
    if "unit_id" in changes:
        new_unit = db.session.get(Unit, changes["unit_id"])
        if new_unit is None:
            raise ValidationFailed(errors={"unit_id": ["所选单位不存在"]})
        ensure_manages(actor, new_unit)
    for name, value in changes.items():
        setattr(team, name, value)
    audit(actor, "team.update", "team", team.id, details=changes)
    return team
