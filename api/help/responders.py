"""我来帮: who takes help requests for a team (its responders), set by the team's admins."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.accounts.models import User
from api.audit.services import record as audit
from api.auth.permissions import ensure_manages
from api.errors import ValidationFailed
from api.extensions import db
from api.help.models import HelpResponder
from api.transactions import atomic
from api.units.models import Team
from api.units.tree import get_team


def _managed_team(actor: User, team_id: int) -> Team:
    team = get_team(team_id)
    ensure_manages(actor, team.unit)
    return team


def team_responders(actor: User, team_id: int) -> list[HelpResponder]:
    """Who takes help requests for a team.

    :raises TeamNotFound: :raises Forbidden: outside the subtree.
    """
    team = _managed_team(actor, team_id)
    return list(
        db.session.scalars(
            select(HelpResponder)
            .where(HelpResponder.team_id == team.id)
            .order_by(HelpResponder.user_id)
            # Each responder is shown by nickname: the users in one statement, not one each.
            .options(selectinload(HelpResponder.user))
        )
    )


def set_responders(actor: User, team_id: int, user_ids: list[int]) -> list[HelpResponder]:
    """Replace who takes help requests for a team (audit-logged).

    :raises TeamNotFound: :raises Forbidden: outside the actor's subtree.
    :raises ValidationFailed: unknown users.
    """
    team = _managed_team(actor, team_id)
    wanted = set(user_ids)
    known = set(db.session.scalars(select(User.id).where(User.id.in_(wanted))))
    if known != wanted:
        raise ValidationFailed(
            errors={"user_ids": [f"用户 {user_id} 不存在" for user_id in sorted(wanted - known)]}
        )
    with atomic():
        current = {
            row.user_id: row
            for row in db.session.scalars(
                select(HelpResponder).where(HelpResponder.team_id == team.id)
            )
        }
        for user_id in set(current) - wanted:
            db.session.delete(current[user_id])
        for user_id in sorted(wanted - set(current)):
            db.session.add(HelpResponder(team_id=team.id, user_id=user_id, created_by_id=actor.id))
        audit(
            actor,
            "help_responders.update",
            "team",
            team.id,
            details={"user_ids": sorted(wanted), "previous": sorted(current)},
        )
    return team_responders(actor, team_id)
