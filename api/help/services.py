"""我来帮: the moves of a help request, from the dispatcher's first decision to the rating.

Every change of status is one row of :data:`api.help.states.TRANSITIONS`, made by one
conditional UPDATE on the request's ``version``: of two concurrent moves (two dispatchers, a
dispatcher and the team) exactly one wins, on SQLite and PostgreSQL alike. Each move is
checked first by :func:`api.help.access.ensure_may` (403 for a caller without the role,
whatever the status; then 409 ``invalid_transition`` for a status the table does not allow)
and writes an audit entry in its transaction (DESIGN §4 invariant 6).

How a request comes in is :mod:`api.help.submitting`; who sees what of it,
:mod:`api.help.privacy`; finding and listing requests, :mod:`api.help.queries`; the rating
period, :mod:`api.help.ratings`.
"""

from sqlalchemy import select, update

from api.accounts.models import User, VolunteerProfile
from api.activities import services as activities
from api.audit.services import record as audit
from api.auth.permissions import ensure_manages
from api.errors import ValidationFailed
from api.extensions import db
from api.help import moderation
from api.help.access import ensure_may
from api.help.errors import (
    ActivityExists,
    ContentRefused,
    InvalidTransition,
    NotAResponder,
    TeamHasNoResponders,
)
from api.help.models import HelpRequest, HelpResponder
from api.help.privacy import present
from api.help.queries import find
from api.help.ratings import rating_deadline, settle_overdue_ratings
from api.help.states import APP, TRANSITIONS, HelpStatus
from api.help.submitting import checked_unit, township_of
from api.hours.records import add_help_request_record
from api.notifications import services as notifications
from api.timeutil import utcnow
from api.transactions import atomic
from api.units.models import Team
from api.wechat.client import SCENE_COMMENT


def _move(
    actor: User | None,
    help_request: HelpRequest,
    action: str,
    *,
    reason: str = "",
    details: dict | None = None,
    **values,
) -> None:
    """Move ``help_request`` by ``action`` (already checked) with a conditional UPDATE on the
    version read, then audit it. :raises InvalidTransition: a concurrent move came first."""
    target = TRANSITIONS[action][1]
    previous = help_request.status
    moved = db.session.execute(
        update(HelpRequest)
        .where(HelpRequest.id == help_request.id, HelpRequest.version == help_request.version)
        .values(status=target, version=HelpRequest.version + 1, updated_at=utcnow(), **values)
        .returning(HelpRequest.id)
        .execution_options(synchronize_session=False)
    ).first()
    if moved is None:
        raise InvalidTransition("求助状态已被他人更新，请刷新后重试")
    db.session.refresh(help_request)
    audit(
        actor,
        f"help_request.{action}",
        "help_request",
        help_request.id,
        details={"from": previous, "to": target, **(details or {})},
        reason=reason,
    )


def _transition(
    actor: User,
    request_id: int,
    action: str,
    *,
    reason: str = "",
    details: dict | None = None,
    **values,
) -> HelpRequest:
    help_request = find(request_id)
    ensure_may(actor, help_request, action)
    with atomic():
        _move(actor, help_request, action, reason=reason, details=details, **values)
    return present(help_request, actor)


def _help_title(help_request: HelpRequest) -> str:
    return f"{help_request.category}求助"


def _notify_dispatched(help_request: HelpRequest, team: Team) -> None:
    responders = db.session.scalars(
        select(HelpResponder.user_id).where(HelpResponder.team_id == team.id)
    )
    payload = {
        "help_request_id": help_request.id,
        "help_title": _help_title(help_request),
        "team_name": team.name,
    }
    notifications.notify(
        list(responders),
        notifications.HELP_DISPATCHED,
        f"新派单：{_help_title(help_request)}",
        f"{help_request.township.name if help_request.township else ''}"
        f"的求助已派给{team.name}，请尽快接单",
        payload,
    )
    if help_request.requester_id is not None:
        notifications.notify(
            [help_request.requester_id],
            notifications.HELP_DISPATCHED,
            f"您的求助已派单：{_help_title(help_request)}",
            f"已派给{team.name}，志愿者将与您联系",
            payload,
        )


def _dispatch_team(actor: User, team_id: int, help_request: HelpRequest) -> Team:
    """The team to dispatch to. :raises ValidationFailed: unknown team, or the team it has.
    :raises Forbidden: a team outside the actor's subtree. :raises TeamHasNoResponders:"""
    team = db.session.get(Team, team_id)
    if team is None:
        raise ValidationFailed(errors={"team_id": ["所选志愿服务队不存在"]})
    if team.id == help_request.team_id:
        raise ValidationFailed(errors={"team_id": ["求助已派给该志愿服务队"]})
    ensure_manages(actor, team.unit)
    has_responder = db.session.scalar(
        select(HelpResponder.user_id).where(HelpResponder.team_id == team.id).limit(1)
    )
    if has_responder is None:
        raise TeamHasNoResponders()
    return team


def release(actor: User, request_id: int) -> HelpRequest:
    """A dispatcher lets a request held by moderation into the queue."""
    return _transition(actor, request_id, "release", released_at=utcnow())


def reject(actor: User, request_id: int, reason: str) -> HelpRequest:
    """A dispatcher declines a request; the reason is shown to the requester only."""
    return _transition(
        actor, request_id, "reject", reason=reason, reject_reason=reason, closed_at=utcnow()
    )


def route(actor: User, request_id: int, unit_id: int) -> HelpRequest:
    """A dispatcher passes a waiting request to another unit of their subtree (down to the
    village station that will claim it, or to the right township).

    :raises ValidationFailed: unknown unit, or the unit it is at. :raises Forbidden:
    """
    help_request = find(request_id)
    ensure_may(actor, help_request, "route")
    unit = checked_unit(unit_id)
    if unit.id == help_request.unit_id:
        raise ValidationFailed(errors={"unit_id": ["求助已在该单位"]})
    ensure_manages(actor, unit)
    township = township_of(unit)
    with atomic():
        _move(
            actor,
            help_request,
            "route",
            details={"from_unit": help_request.unit.code, "to_unit": unit.code},
            unit_id=unit.id,
            township_id=township.id if township else None,
        )
    return present(help_request, actor)


def dispatch(actor: User, request_id: int, team_id: int, *, again: bool = False) -> HelpRequest:
    """A dispatcher hands a waiting request to a team (``again``: takes it from the team or
    station that has it and hands it to another team). The team's responders and the
    requester are notified.

    :raises Forbidden: :raises InvalidTransition: :raises ValidationFailed:
    :raises TeamHasNoResponders:
    """
    action = "redispatch" if again else "dispatch"
    help_request = find(request_id)
    ensure_may(actor, help_request, action)
    team = _dispatch_team(actor, team_id, help_request)
    now = utcnow()
    with atomic():
        _move(
            actor,
            help_request,
            action,
            details={"team_id": team.id, "previous_team_id": help_request.team_id},
            team_id=team.id,
            claimed_unit_id=None,
            assigned_at=now,
            accepted_at=None,
            dispatched_at=help_request.dispatched_at or now,
        )
        _notify_dispatched(help_request, team)
    return present(help_request, actor)


def requeue(actor: User, request_id: int, reason: str) -> HelpRequest:
    """A dispatcher takes a request back from its team or station into the queue."""
    help_request = find(request_id)
    ensure_may(actor, help_request, "requeue")
    with atomic():
        _move(
            actor,
            help_request,
            "requeue",
            reason=reason,
            details={
                "previous_team_id": help_request.team_id,
                "previous_claimed_unit_id": help_request.claimed_unit_id,
            },
            team_id=None,
            claimed_unit_id=None,
            assigned_at=None,
            accepted_at=None,
        )
    return present(help_request, actor)


def claim(actor: User, request_id: int) -> HelpRequest:
    """The station a request was routed down to takes it itself (dispatched and accepted
    at once). :raises NotRoutedToStation: the request waits at a township or the center."""
    help_request = find(request_id)
    ensure_may(actor, help_request, "claim")
    now = utcnow()
    with atomic():
        _move(
            actor,
            help_request,
            "claim",
            details={"unit": help_request.unit.code},
            claimed_unit_id=help_request.unit_id,
            team_id=None,
            assigned_at=now,
            accepted_at=now,
            dispatched_at=help_request.dispatched_at or now,
        )
    return present(help_request, actor)


def accept(actor: User, request_id: int) -> HelpRequest:
    """A responder of the assigned team takes the request (接单)."""
    return _transition(actor, request_id, "accept", accepted_at=utcnow())


def cancel(actor: User, request_id: int, reason: str) -> HelpRequest:
    """The requester withdraws a request not yet completed (hotline staff for a caller)."""
    return _transition(
        actor, request_id, "cancel", reason=reason, cancel_reason=reason, closed_at=utcnow()
    )


def _responder_ids(help_request: HelpRequest, user_ids: list[int]) -> set[int]:
    """Those of ``user_ids`` who may be credited: responders of the assigned team or, when a
    station took the request itself, responders of its teams and its registered volunteers."""
    if help_request.team_id is not None:
        return set(
            db.session.scalars(
                select(HelpResponder.user_id).where(
                    HelpResponder.team_id == help_request.team_id,
                    HelpResponder.user_id.in_(user_ids),
                )
            )
        )
    station_teams = select(Team.id).where(Team.unit_id == help_request.claimed_unit_id)
    responders = select(HelpResponder.user_id).where(
        HelpResponder.team_id.in_(station_teams), HelpResponder.user_id.in_(user_ids)
    )
    registered = select(VolunteerProfile.user_id).where(
        VolunteerProfile.unit_id == help_request.claimed_unit_id,
        VolunteerProfile.user_id.in_(user_ids),
    )
    return set(db.session.scalars(responders.union(registered)))


def _checked_volunteers(help_request: HelpRequest, volunteers: list[dict]) -> None:
    user_ids = [entry["user_id"] for entry in volunteers]
    if len(set(user_ids)) != len(user_ids):
        raise ValidationFailed(errors={"volunteers": ["同一名志愿者只能填写一次"]})
    registered = set(
        db.session.scalars(
            select(VolunteerProfile.user_id).where(VolunteerProfile.user_id.in_(user_ids))
        )
    )
    missing = [user_id for user_id in user_ids if user_id not in registered]
    if missing:
        raise ValidationFailed(
            errors={"volunteers": [f"用户 {user_id} 尚未注册为志愿者" for user_id in missing]}
        )
    strangers = sorted(set(user_ids) - _responder_ids(help_request, user_ids))
    if strangers:
        raise NotAResponder(
            errors={
                "volunteers": [
                    f"用户 {user_id} 不是承接该求助的服务队的响应志愿者" for user_id in strangers
                ]
            }
        )


def complete(actor: User, request_id: int, report: str, volunteers: list[dict]) -> HelpRequest:
    """The assignee reports the request done: what was done, and who served how long.
    Each volunteer, a responder of the assignee who did the work, gets a pending service
    record (source ``help_request``) of the assignee's unit, for its organizers to approve;
    the requester is asked to rate.

    :raises Forbidden: :raises InvalidTransition: :raises ValidationFailed: a volunteer
        listed twice or not registered. :raises NotAResponder: a volunteer who is not a
        responder of the assignee. :raises MinutesOverRecordCap, MinutesOverDailyCap:
    """
    help_request = find(request_id)
    ensure_may(actor, help_request, "complete")
    _checked_volunteers(help_request, volunteers)
    now = utcnow()
    unit_id = (
        help_request.team.unit_id if help_request.team is not None else help_request.claimed_unit_id
    )
    with atomic():
        _move(
            actor,
            help_request,
            "complete",
            reason=report,
            details={"volunteers": [[entry["user_id"], entry["minutes"]] for entry in volunteers]},
            completion_report=report,
            completed_at=now,
        )
        # In one order (by user): each record takes its volunteer's lock for the daily cap,
        # and two completions naming the same people must not wait on each other.
        for entry in sorted(volunteers, key=lambda entry: entry["user_id"]):
            add_help_request_record(
                actor,
                user_id=entry["user_id"],
                unit_id=unit_id,
                credited_minutes=entry["minutes"],
                category=help_request.category,
                served_at=now,
                reason=f"我来帮求助 #{help_request.id}",
            )
        if help_request.requester_id is not None:
            notifications.notify(
                [help_request.requester_id],
                notifications.HELP_COMPLETED,
                f"您的求助已完成：{_help_title(help_request)}",
                "请为志愿者的服务评价",
                {
                    "help_request_id": help_request.id,
                    "help_title": _help_title(help_request),
                    "team_name": help_request.team.name
                    if help_request.team
                    else help_request.claimed_unit.name,
                },
            )
    return present(help_request, actor)


def rate(actor: User, request_id: int, rating: int, comment: str = "") -> HelpRequest:
    """The requester rates a completed request 1–5 stars (hotline staff record a caller's
    rating). A comment WeChat flags as risky is refused; one it wants reviewed is kept for
    the dispatchers only.

    :raises Forbidden: :raises InvalidTransition: not completed, or the rating period is
        over. :raises ContentRefused:
    """
    help_request = find(request_id)
    ensure_may(actor, help_request, "rate")
    if utcnow() >= rating_deadline(help_request):
        settle_overdue_ratings()
        raise InvalidTransition("评价期已过，已默认评价为满意")
    verdict = moderation.PASS
    if comment and help_request.channel == APP:
        verdict = moderation.verdict(actor, [comment], SCENE_COMMENT)
        if verdict == moderation.RISKY:
            raise ContentRefused()
    with atomic():
        _move(
            actor,
            help_request,
            "rate",
            details={"rating": rating, "moderation": verdict},
            rating=rating,
            rating_comment=comment,
            rating_comment_held=verdict == moderation.REVIEW,
            rated_at=utcnow(),
        )
    return present(help_request, actor)


def make_activity(actor: User, request_id: int, values: dict) -> HelpRequest:
    """Turn an accepted request into a (draft) activity of the assignee, to recruit
    volunteers through the calendar. The requester's address and description stay out of
    it: the activity becomes public when published.

    :raises Forbidden: the actor is not the assignee, or organizes no activities there.
    :raises InvalidTransition: not accepted. :raises ActivityExists:
    """
    help_request = find(request_id)
    ensure_may(actor, help_request, "make_activity")
    unit_id = (
        help_request.team.unit_id if help_request.team is not None else help_request.claimed_unit_id
    )
    activity = activities.create_activity(
        actor,
        {
            "title": f"我来帮：{help_request.category}",
            "audience": "volunteers",
            "address": "",
            **values,
            "category": help_request.category,
            "unit_id": unit_id,
            "team_id": help_request.team_id,
        },
    )
    # create_activity commits; the link is a second, conditional step (a concurrent
    # conversion that won leaves this activity a draft nobody published).
    with atomic():
        linked = db.session.execute(
            update(HelpRequest)
            .where(
                HelpRequest.id == help_request.id,
                HelpRequest.activity_id.is_(None),
                HelpRequest.status == HelpStatus.ACCEPTED,
            )
            .values(activity_id=activity.id, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if not linked:
            raise ActivityExists()
        audit(
            actor,
            "help_request.make_activity",
            "help_request",
            help_request.id,
            details={"activity_id": activity.id},
        )
    db.session.refresh(help_request)
    return present(help_request, actor)
