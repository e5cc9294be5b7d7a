"""Finding units in the tree: one unit (or team) by id, and a subtree as a SQL condition.

The layer below :mod:`api.units.services` and :mod:`api.auth.permissions`: every package that
filters by unit starts here, so that none of them needs the units' services to do it.
"""

from sqlalchemy import or_

from api.errors import NotFound
from api.extensions import db
from api.units.models import Team, Unit


class UnitNotFound(NotFound):
    error, message = "unit_not_found", "单位不存在"


class TeamNotFound(NotFound):
    error, message = "team_not_found", "志愿服务队不存在"


def get_unit(unit_id: int) -> Unit:
    """:raises UnitNotFound:"""
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise UnitNotFound()
    return unit


def get_team(team_id: int) -> Team:
    """:raises TeamNotFound:"""
    team = db.session.get(Team, team_id)
    if team is None:
        raise TeamNotFound()
    return team


def in_subtree(unit: Unit):
    """A SQL condition: the unit of ``Unit.path`` is ``unit`` or lies below it.

    Join :class:`Unit` in the query that uses it.
    """
    return or_(Unit.path == unit.path, Unit.path.startswith(unit.path + "/", autoescape=True))
