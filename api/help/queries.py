"""我来帮: finding help requests, one by id or as the lists of the public board, the
dispatchers' queue, the teams' assignments and the requester's own."""

from sqlalchemy import Select, select

from api.accounts import roles
from api.accounts.models import User
from api.auth.permissions import scope_condition
from api.extensions import db
from api.help.errors import HelpRequestNotFound
from api.help.escalation import overdue_condition
from api.help.models import HelpRequest, HelpResponder
from api.help.privacy import present
from api.help.ratings import status_is
from api.help.states import PUBLIC_STATUSES, QUEUED
from api.units.tree import get_unit, in_subtree


def find(request_id: int) -> HelpRequest:
    """A request by id, whoever asks. :raises HelpRequestNotFound:"""
    help_request = db.session.get(HelpRequest, request_id)
    if help_request is None:
        raise HelpRequestNotFound()
    return help_request


def get_request(viewer: User | None, request_id: int) -> HelpRequest:
    """A request as ``viewer`` may see it. :raises HelpRequestNotFound:"""
    return present(find(request_id), viewer)


def board_query(
    *, unit_id: int | None = None, category: str | None = None, status: str | None = None
) -> Select:
    """The public board, newest first: what anyone may know (category, township, status).

    :raises UnitNotFound:
    """
    statement = (
        select(HelpRequest)
        .join(HelpRequest.unit)
        .where(HelpRequest.status.in_(PUBLIC_STATUSES))
        .order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc())
    )
    if unit_id is not None:
        statement = statement.where(in_subtree(get_unit(unit_id)))
    if category is not None:
        statement = statement.where(HelpRequest.category == category)
    if status is not None:
        statement = statement.where(status_is(status))
    return statement


def my_requests_query(user: User) -> Select:
    """The requests I asked for, newest first."""
    return (
        select(HelpRequest)
        .where(HelpRequest.requester_id == user.id)
        .order_by(HelpRequest.id.desc())
    )


def queue_query(
    actor: User,
    *,
    unit_id: int | None = None,
    status: str | None = None,
    category: str | None = None,
    overdue: bool = False,
) -> Select:
    """The requests of the dispatcher's subtree: by default those waiting (held or
    submitted), oldest first; ``overdue``: those waiting too long to be dispatched or
    accepted (the escalation's rule, :mod:`api.help.escalation`).

    :raises Forbidden: without a dispatcher's role. :raises UnitNotFound:
    """
    statement = (
        select(HelpRequest).join(HelpRequest.unit).order_by(HelpRequest.created_at, HelpRequest.id)
    )
    condition = scope_condition(actor, unit_id, roles.MANAGING_ROLES)
    if condition is not None:
        statement = statement.where(condition)
    if overdue:
        statement = statement.where(overdue_condition())
    if status is not None:
        statement = statement.where(status_is(status))
    elif not overdue:
        statement = statement.where(HelpRequest.status.in_(QUEUED))
    if category is not None:
        statement = statement.where(HelpRequest.category == category)
    return statement


def assigned_query(user: User, *, status: str | None = None) -> Select:
    """The requests now with the teams ``user`` responds for, oldest assignment first."""
    teams = select(HelpResponder.team_id).where(HelpResponder.user_id == user.id)
    statement = (
        select(HelpRequest)
        .where(HelpRequest.team_id.in_(teams))
        .order_by(HelpRequest.assigned_at, HelpRequest.id)
    )
    if status is not None:
        statement = statement.where(status_is(status))
    return statement
