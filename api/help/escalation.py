"""Escalation: a help request that waits too long is brought to its dispatchers.

Waiting to be dispatched (held, submitted) for ``HELP_ESCALATE_DISPATCH_HOURS``, or to be
accepted by the team (dispatched) for ``HELP_ESCALATE_ACCEPT_HOURS``, counted from the
request's last move: the dispatchers covering its unit get a ``help_escalated``
notification and the request is flagged (``escalated_at``, audit-logged). One conditional
UPDATE per request flags it once per wait: a later move starts a new wait.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from api.accounts import roles
from api.accounts.models import RoleGrant
from api.audit.services import record as audit
from api.extensions import db
from api.help.models import HelpRequest
from api.help.states import STATUS_LABELS, HelpStatus
from api.notifications import services as notifications
from api.timeutil import utcnow
from api.transactions import atomic
from api.units.models import Unit


def _cutoffs(now: datetime) -> tuple[datetime, datetime]:
    """Last moves before these moments have waited too long: (to be dispatched, accepted)."""
    config = current_app.config
    return (
        now - timedelta(hours=config["HELP_ESCALATE_DISPATCH_HOURS"]),
        now - timedelta(hours=config["HELP_ESCALATE_ACCEPT_HOURS"]),
    )


def overdue_condition(now: datetime | None = None):
    """SQL: the request has waited too long to be dispatched or accepted (超时)."""
    dispatch_cutoff, accept_cutoff = _cutoffs(now or utcnow())
    return or_(
        HelpRequest.status.in_((HelpStatus.HELD, HelpStatus.SUBMITTED))
        & (HelpRequest.updated_at <= dispatch_cutoff),
        (HelpRequest.status == HelpStatus.DISPATCHED) & (HelpRequest.updated_at <= accept_cutoff),
    )


def is_overdue(help_request: HelpRequest, now: datetime | None = None) -> bool:
    """:func:`overdue_condition` for one loaded request (the dispatch board's flag)."""
    dispatch_cutoff, accept_cutoff = _cutoffs(now or utcnow())
    if help_request.status in (HelpStatus.HELD, HelpStatus.SUBMITTED):
        return help_request.updated_at <= dispatch_cutoff
    return help_request.status == HelpStatus.DISPATCHED and help_request.updated_at <= accept_cutoff


def _waiting_too_long(now: datetime):
    return (
        overdue_condition(now),
        or_(HelpRequest.escalated_at.is_(None), HelpRequest.escalated_at < HelpRequest.updated_at),
    )


def dispatchers_of(unit: Unit) -> list[int]:
    """The users who dispatch requests of ``unit``: admins of it or of a unit above it."""
    codes = unit.path.split("/")
    return sorted(
        set(
            db.session.scalars(
                select(RoleGrant.user_id)
                .outerjoin(Unit, Unit.id == RoleGrant.unit_id)
                .where(
                    RoleGrant.role.in_(roles.MANAGING_ROLES),
                    or_(RoleGrant.unit_id.is_(None), Unit.code.in_(codes)),
                )
            )
        )
    )


def escalate_waiting(now: datetime | None = None) -> int:
    """Flag and notify every request waiting too long (each in its own transaction);
    returns how many. A request another worker flagged first is skipped."""
    now = now or utcnow()
    due = db.session.scalars(
        select(HelpRequest.id).where(*_waiting_too_long(now)).order_by(HelpRequest.id)
    ).all()
    count = 0
    for request_id in due:
        with atomic():
            flagged = db.session.execute(
                update(HelpRequest)
                .where(HelpRequest.id == request_id, *_waiting_too_long(now))
                # updated_at kept: it marks the last move, which starts a wait
                .values(escalated_at=now, updated_at=HelpRequest.updated_at)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not flagged:
                continue
            help_request = db.session.get(HelpRequest, request_id, populate_existing=True)
            _notify(help_request)
            audit(
                None,
                "help_request.escalate",
                "help_request",
                help_request.id,
                details={"status": help_request.status},
                reason="等待时间过长，提醒派单人",
            )
        count += 1
    return count


def _notify(help_request: HelpRequest) -> None:
    title = f"{help_request.category}求助"
    waiting = "派单" if help_request.status in (HelpStatus.HELD, HelpStatus.SUBMITTED) else "接单"
    notifications.notify(
        dispatchers_of(help_request.unit),
        notifications.HELP_ESCALATED,
        f"求助超时未{waiting}：{title}",
        f"{help_request.unit.name}的求助{STATUS_LABELS[help_request.status]}已超时，请尽快处理",
        {
            "help_request_id": help_request.id,
            "help_title": title,
            "team_name": help_request.team.name if help_request.team else "",
        },
    )
