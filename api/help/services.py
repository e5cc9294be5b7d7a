"""我来帮: the rules of help requests, from the resident's request to the rating.

* **Moves.** Every change of status is one row of :data:`api.help.states.TRANSITIONS`, made
  by one conditional UPDATE on the request's ``version``: of two concurrent moves (two
  dispatchers, a dispatcher and the team) exactly one wins, on SQLite and PostgreSQL alike.
  A move the table does not allow from the current status raises :class:`InvalidTransition`
  (409 ``invalid_transition``); the status is public, so this is checked before the actor's
  rights (403). Every move writes an audit entry in its transaction (DESIGN §4 invariant 6).
* **Who.** Dispatchers are the unit admins (and admins) whose subtree holds the request's
  unit. The assigned team acts through its responders (:class:`HelpResponder`); a request a
  station claimed is handled by the admins of that station. The requester cancels and rates
  their own request; hotline staff enter requests for callers and record their rating.
* **Privacy.** The requester's name, phone and address are stored encrypted and decrypted by
  :func:`present` only for the dispatchers in scope and the assignee; the requester sees
  them masked; anyone else sees the public board: category, township and status.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, and_, case, select, update
from sqlalchemy.orm.attributes import set_committed_value

from api.accounts import roles
from api.accounts.models import User, VolunteerProfile
from api.activities import services as activities
from api.audit.services import record as audit
from api.auth.permissions import covers, ensure_manages
from api.errors import Conflict, Forbidden, NotFound, ValidationFailed
from api.extensions import db
from api.help import moderation
from api.help.escalation import overdue_condition
from api.help.models import HelpRequest, HelpResponder
from api.help.states import (
    APP,
    HOTLINE,
    PUBLIC_STATUSES,
    QUEUED,
    SATISFIED_RATING,
    STATUS_LABELS,
    TRANSITIONS,
    HelpStatus,
)
from api.hours import services as hours
from api.notifications import services as notifications
from api.personal_data import decrypt, encrypt, lookup_hash, mask_name, mask_phone
from api.timeutil import utcnow
from api.transactions import atomic
from api.units.models import Team, Unit
from api.units.services import get_unit, in_subtree
from api.wechat.client import SCENE_COMMENT, SCENE_FORUM

DISPATCHER, ASSIGNEE, REQUESTER = "dispatcher", "assignee", "requester"

_ACTION_LABELS = {
    "release": "放行", "reject": "不予受理", "route": "转派到下级", "dispatch": "派单",
    "redispatch": "改派", "requeue": "退回待派单", "claim": "认领", "accept": "接单",
    "complete": "办结", "rate": "评价", "cancel": "取消", "make_activity": "转为活动",
}


class HelpRequestNotFound(NotFound):
    error, message = "help_request_not_found", "求助不存在"


class InvalidTransition(Conflict):
    error, message = "invalid_transition", "求助当前状态不能执行此操作"


class ContentRefused(ValidationFailed):
    error = "content_risky"
    message = "提交的内容可能含有违法违规信息，未能提交，请修改后重试"


class NotAResponder(ValidationFailed):
    error, message = "not_a_responder", "只能为承接该求助的服务队的响应志愿者登记时长"


class TeamHasNoResponders(Conflict):
    error, message = "team_has_no_responders", "该志愿服务队尚未设置接单人，请先设置再派单"


class NotRoutedToStation(Conflict):
    error, message = "not_routed_to_station", "只有已转派到村（社区）实践站的求助可以由站认领"


class ActivityExists(Conflict):
    error, message = "activity_exists", "该求助已转为活动"




# --- who is who -------------------------------------------------------------------------


def township_of(unit: Unit) -> Unit | None:
    """The township institute (所) of a unit: itself, a station's parent, or none (center)."""
    if unit.level == "institute":
        return unit
    if unit.level == "station":
        return unit.parent
    return None


class Standing:
    """How one user stands to help requests: their dispatcher grants (in memory) and the
    teams they respond for (read once, then reused for every request of a page)."""

    def __init__(self, user: User | None) -> None:
        self.user = user
        self._teams: frozenset[int] | None = None

    @property
    def teams(self) -> frozenset[int]:
        if self._teams is None:
            self._teams = frozenset() if self.user is None else frozenset(db.session.scalars(
                select(HelpResponder.team_id).where(HelpResponder.user_id == self.user.id)))
        return self._teams

    def dispatches(self, request: HelpRequest) -> bool:
        """An admin whose subtree holds the request's unit."""
        return covers(self.user, request.unit, roles.MANAGING_ROLES)

    def holds(self, request: HelpRequest) -> bool:
        """Acts for whoever has the request now: a responder of its team, or an admin of
        the station that claimed it."""
        if request.team_id is not None:
            return request.team_id in self.teams
        if request.claimed_unit is not None:
            return covers(self.user, request.claimed_unit, roles.MANAGING_ROLES)
        return False

    def asked(self, request: HelpRequest) -> bool:
        return self.user is not None and request.requester_id == self.user.id

    def role(self, request: HelpRequest) -> str | None:
        """dispatcher, assignee, requester, or None (the public board is all they get)."""
        if self.user is None:
            return None
        if self.dispatches(request):
            return DISPATCHER
        if self.holds(request):
            return ASSIGNEE
        if self.asked(request):
            return REQUESTER
        return None

    def may(self, request: HelpRequest, action: str) -> bool:
        """Whether the user may make ``action`` (its status aside)."""
        if self.user is None:
            return False
        if action in ("release", "reject", "route", "dispatch", "redispatch", "requeue"):
            return self.dispatches(request)
        if action == "claim":
            return self.dispatches(request) and request.unit.level == "station"
        if action in ("accept", "complete", "make_activity"):
            return self.holds(request)
        if action in ("rate", "cancel"):
            # Hotline callers have no account: the staff act for them.
            return self.asked(request) or (request.channel == HOTLINE
                                           and self.dispatches(request))
        return False

    def next_actions(self, request: HelpRequest) -> list[str]:
        """The moves the user may make now (for the mini-program's buttons)."""
        return [action for action in (*TRANSITIONS, "make_activity")
                if _allowed_from(action, request.status) and self.may(request, action)
                and not (action == "make_activity" and request.activity_id is not None)]


def _allowed_from(action: str, status: str) -> bool:
    if action == "make_activity":
        return status == HelpStatus.ACCEPTED
    return status in TRANSITIONS[action][0]


def _check(user: User, request: HelpRequest, action: str) -> None:
    """:raises InvalidTransition: the status does not allow ``action``.
    :raises Forbidden: the user may not make it."""
    if not _allowed_from(action, request.status):
        raise InvalidTransition(
            f"求助当前为“{STATUS_LABELS[request.status]}”，不能{_ACTION_LABELS[action]}")
    if not Standing(user).may(request, action):
        raise Forbidden("您无权对该求助执行此操作")


# --- privacy ----------------------------------------------------------------------------


def mask_address(address: str) -> str:
    """``临颍县巨陵镇油坊陈村3组12号`` → ``临颍县巨陵镇****``: enough to recognise, not to find."""
    keep = 6 if len(address) > 8 else len(address) // 2
    return address[:keep] + "****"


def present(request: HelpRequest, viewer: User | None,
            standing: Standing | None = None) -> HelpRequest:
    """Fill the request's per-viewer fields: contact data decrypted for dispatchers in scope
    and the assignee, masked for the requester.

    :raises HelpRequestNotFound: for anybody else (they have the public board).
    """
    show_effective_rating(request)
    standing = standing or Standing(viewer)
    role = standing.role(request)
    if role is None:
        raise HelpRequestNotFound()
    name = decrypt(request.contact_name_encrypted)
    phone = decrypt(request.phone_encrypted)
    address = decrypt(request.address_encrypted)
    if role == REQUESTER:
        # Their own request: the address in full, so they can check where help will come;
        # name and phone masked, as on every screen that may be seen over a shoulder.
        name, phone = mask_name(name), mask_phone(phone)
    request.contact_name, request.phone, request.address = name, phone, address
    request.viewer_role = role
    request.actions = standing.next_actions(request)
    return request


def present_all(requests: list[HelpRequest], viewer: User | None) -> list[HelpRequest]:
    """:func:`present` for a page of requests (the viewer's teams read once)."""
    standing = Standing(viewer)
    return [present(request, viewer, standing) for request in requests]


# --- submitting ---------------------------------------------------------------------------


def _checked_unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise ValidationFailed(errors={"unit_id": ["所选单位不存在"]})
    return unit


def _new_request(values: dict, unit: Unit, **fields) -> HelpRequest:
    return HelpRequest(
        category=values["category"], description=values["description"],
        preferred_time=values.get("preferred_time", ""),
        contact_name_encrypted=encrypt(values["contact_name"]),
        phone_encrypted=encrypt(values["phone"]), phone_hash=lookup_hash(values["phone"]),
        address_encrypted=encrypt(values["address"]), unit=unit, township=township_of(unit),
        **fields,
    )


def submit(user: User, values: dict) -> HelpRequest:
    """A resident asks for help in the mini-program. The free text is checked by WeChat
    first: refused when risky, held for a dispatcher when WeChat wants a person to look.

    :raises ContentRefused: :raises ValidationFailed: unknown unit.
    """
    unit = _checked_unit(values["unit_id"])
    # Before any write: the check is an HTTP call, no transaction waits on it.
    verdict = moderation.verdict(user, [values["description"], values["address"],
                                        values.get("preferred_time", ""),
                                        values["contact_name"]], SCENE_FORUM)
    if verdict == moderation.RISKY:
        raise ContentRefused()
    status = HelpStatus.HELD if verdict == moderation.REVIEW else HelpStatus.SUBMITTED
    request = _new_request(values, unit, channel=APP, status=status, requester_id=user.id,
                           moderation=verdict)
    with atomic():
        db.session.add(request)
        db.session.flush()
        audit(user, "help_request.submit", "help_request", request.id,
              details={"channel": APP, "status": status, "moderation": verdict,
                       "unit": unit.code, "category": request.category})
    return request


def enter_hotline(actor: User, values: dict) -> HelpRequest:
    """Hotline staff (a dispatcher of the unit) enter a caller's request; staff typed the
    text, so it goes straight to the queue.

    :raises Forbidden: outside the actor's subtree. :raises ValidationFailed: unknown unit.
    """
    unit = _checked_unit(values["unit_id"])
    ensure_manages(actor, unit)
    request = _new_request(values, unit, channel=HOTLINE, status=HelpStatus.SUBMITTED,
                           entered_by_id=actor.id, moderation="staff")
    with atomic():
        db.session.add(request)
        db.session.flush()
        audit(actor, "help_request.submit", "help_request", request.id,
              details={"channel": HOTLINE, "status": HelpStatus.SUBMITTED, "unit": unit.code,
                       "category": request.category})
    return request


# --- reading ----------------------------------------------------------------------------


def _find(request_id: int) -> HelpRequest:
    request = db.session.get(HelpRequest, request_id)
    if request is None:
        raise HelpRequestNotFound()
    return request


def get_request(viewer: User | None, request_id: int) -> HelpRequest:
    """A request as ``viewer`` may see it. :raises HelpRequestNotFound:"""
    return present(_find(request_id), viewer)


def board_query(*, unit_id: int | None = None, category: str | None = None,
                status: str | None = None) -> Select:
    """The public board, newest first: what anyone may know (category, township, status).

    :raises UnitNotFound:
    """
    statement = (select(HelpRequest).join(HelpRequest.unit)
                 .where(HelpRequest.status.in_(PUBLIC_STATUSES))
                 .order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc()))
    if unit_id is not None:
        statement = statement.where(in_subtree(get_unit(unit_id)))
    if category is not None:
        statement = statement.where(HelpRequest.category == category)
    if status is not None:
        statement = statement.where(status_is(status))
    return statement


def my_requests_query(user: User) -> Select:
    """The requests I asked for, newest first."""
    return (select(HelpRequest).where(HelpRequest.requester_id == user.id)
            .order_by(HelpRequest.id.desc()))


def queue_query(actor: User, *, unit_id: int | None = None, status: str | None = None,
                category: str | None = None, overdue: bool = False) -> Select:
    """The requests of the dispatcher's subtree: by default those waiting (held or
    submitted), oldest first; ``overdue``: those waiting too long to be dispatched or
    accepted (the escalation's rule, :mod:`api.help.escalation`).

    :raises Forbidden: without a dispatcher's role. :raises UnitNotFound:
    """
    statement = (select(HelpRequest).join(HelpRequest.unit)
                 .order_by(HelpRequest.created_at, HelpRequest.id))
    condition = hours.scope_condition(actor, unit_id, roles.MANAGING_ROLES)
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
    statement = (select(HelpRequest).where(HelpRequest.team_id.in_(teams))
                 .order_by(HelpRequest.assigned_at, HelpRequest.id))
    if status is not None:
        statement = statement.where(status_is(status))
    return statement


# --- moves ------------------------------------------------------------------------------


def _move(actor: User | None, request: HelpRequest, action: str, *, reason: str = "",
          details: dict | None = None, **values) -> None:
    """Move ``request`` by ``action`` (already checked) with a conditional UPDATE on the
    version read, then audit it. :raises InvalidTransition: a concurrent move came first."""
    target = TRANSITIONS[action][1]
    previous = request.status
    moved = db.session.execute(
        update(HelpRequest)
        .where(HelpRequest.id == request.id, HelpRequest.version == request.version)
        .values(status=target, version=HelpRequest.version + 1, updated_at=utcnow(), **values)
        .returning(HelpRequest.id)
        .execution_options(synchronize_session=False)
    ).first()
    if moved is None:
        raise InvalidTransition("求助状态已被他人更新，请刷新后重试")
    db.session.refresh(request)
    audit(actor, f"help_request.{action}", "help_request", request.id,
          details={"from": previous, "to": target, **(details or {})}, reason=reason)


def _transition(actor: User, request_id: int, action: str, *, reason: str = "",
                details: dict | None = None, **values) -> HelpRequest:
    request = _find(request_id)
    _check(actor, request, action)
    with atomic():
        _move(actor, request, action, reason=reason, details=details, **values)
    return present(request, actor)


def _help_title(request: HelpRequest) -> str:
    return f"{request.category}求助"


def _notify_dispatched(request: HelpRequest, team: Team) -> None:
    responders = db.session.scalars(
        select(HelpResponder.user_id).where(HelpResponder.team_id == team.id))
    payload = {"help_request_id": request.id, "help_title": _help_title(request),
               "team_name": team.name}
    notifications.notify(list(responders), notifications.HELP_DISPATCHED,
                         f"新派单：{_help_title(request)}",
                         f"{request.township.name if request.township else ''}的求助已派给"
                         f"{team.name}，请尽快接单", payload)
    if request.requester_id is not None:
        notifications.notify([request.requester_id], notifications.HELP_DISPATCHED,
                             f"您的求助已派单：{_help_title(request)}",
                             f"已派给{team.name}，志愿者将与您联系", payload)


def _dispatch_team(actor: User, team_id: int, request: HelpRequest) -> Team:
    """The team to dispatch to. :raises ValidationFailed: unknown team, or the team it has.
    :raises Forbidden: a team outside the actor's subtree. :raises TeamHasNoResponders:"""
    team = db.session.get(Team, team_id)
    if team is None:
        raise ValidationFailed(errors={"team_id": ["所选志愿服务队不存在"]})
    if team.id == request.team_id:
        raise ValidationFailed(errors={"team_id": ["求助已派给该志愿服务队"]})
    ensure_manages(actor, team.unit)
    has_responder = db.session.scalar(
        select(HelpResponder.user_id).where(HelpResponder.team_id == team.id).limit(1))
    if has_responder is None:
        raise TeamHasNoResponders()
    return team


def release(actor: User, request_id: int) -> HelpRequest:
    """A dispatcher lets a request held by moderation into the queue."""
    return _transition(actor, request_id, "release", released_at=utcnow())


def reject(actor: User, request_id: int, reason: str) -> HelpRequest:
    """A dispatcher declines a request; the reason is shown to the requester only."""
    return _transition(actor, request_id, "reject", reason=reason, reject_reason=reason,
                       closed_at=utcnow())


def route(actor: User, request_id: int, unit_id: int) -> HelpRequest:
    """A dispatcher passes a waiting request to another unit of their subtree (down to the
    village station that will claim it, or to the right township).

    :raises ValidationFailed: unknown unit, or the unit it is at. :raises Forbidden:
    """
    request = _find(request_id)
    _check(actor, request, "route")
    unit = _checked_unit(unit_id)
    if unit.id == request.unit_id:
        raise ValidationFailed(errors={"unit_id": ["求助已在该单位"]})
    ensure_manages(actor, unit)
    township = township_of(unit)
    with atomic():
        _move(actor, request, "route", details={"from_unit": request.unit.code,
                                                "to_unit": unit.code},
              unit_id=unit.id, township_id=township.id if township else None)
    return present(request, actor)


def dispatch(actor: User, request_id: int, team_id: int, *, again: bool = False) -> HelpRequest:
    """A dispatcher hands a waiting request to a team (``again``: takes it from the team or
    station that has it and hands it to another team). The team's responders and the
    requester are notified.

    :raises InvalidTransition: :raises Forbidden: :raises ValidationFailed:
    :raises TeamHasNoResponders:
    """
    action = "redispatch" if again else "dispatch"
    request = _find(request_id)
    _check(actor, request, action)
    team = _dispatch_team(actor, team_id, request)
    now = utcnow()
    with atomic():
        _move(actor, request, action, details={"team_id": team.id,
                                               "previous_team_id": request.team_id},
              team_id=team.id, claimed_unit_id=None, assigned_at=now, accepted_at=None,
              dispatched_at=request.dispatched_at or now)
        _notify_dispatched(request, team)
    return present(request, actor)


def requeue(actor: User, request_id: int, reason: str) -> HelpRequest:
    """A dispatcher takes a request back from its team or station into the queue."""
    request = _find(request_id)
    _check(actor, request, "requeue")
    with atomic():
        _move(actor, request, "requeue", reason=reason,
              details={"previous_team_id": request.team_id,
                       "previous_claimed_unit_id": request.claimed_unit_id},
              team_id=None, claimed_unit_id=None, assigned_at=None, accepted_at=None)
    return present(request, actor)


def claim(actor: User, request_id: int) -> HelpRequest:
    """The station a request was routed down to takes it itself (dispatched and accepted
    at once). :raises NotRoutedToStation: the request waits at a township or the center."""
    request = _find(request_id)
    if request.status == HelpStatus.SUBMITTED and request.unit.level != "station":
        raise NotRoutedToStation()
    _check(actor, request, "claim")
    now = utcnow()
    with atomic():
        _move(actor, request, "claim", details={"unit": request.unit.code},
              claimed_unit_id=request.unit_id, team_id=None, assigned_at=now,
              accepted_at=now, dispatched_at=request.dispatched_at or now)
    return present(request, actor)


def accept(actor: User, request_id: int) -> HelpRequest:
    """A responder of the assigned team takes the request (接单)."""
    return _transition(actor, request_id, "accept", accepted_at=utcnow())


def cancel(actor: User, request_id: int, reason: str) -> HelpRequest:
    """The requester withdraws a request not yet completed (hotline staff for a caller)."""
    return _transition(actor, request_id, "cancel", reason=reason, cancel_reason=reason,
                       closed_at=utcnow())


def _responder_ids(request: HelpRequest, user_ids: list[int]) -> set[int]:
    """Those of ``user_ids`` who may be credited: responders of the assigned team or, when a
    station took the request itself, responders of its teams and its registered volunteers."""
    if request.team_id is not None:
        return set(db.session.scalars(select(HelpResponder.user_id).where(
            HelpResponder.team_id == request.team_id, HelpResponder.user_id.in_(user_ids))))
    station_teams = select(Team.id).where(Team.unit_id == request.claimed_unit_id)
    responders = select(HelpResponder.user_id).where(
        HelpResponder.team_id.in_(station_teams), HelpResponder.user_id.in_(user_ids))
    registered = select(VolunteerProfile.user_id).where(
        VolunteerProfile.unit_id == request.claimed_unit_id,
        VolunteerProfile.user_id.in_(user_ids))
    return set(db.session.scalars(responders.union(registered)))


def _checked_volunteers(request: HelpRequest, volunteers: list[dict]) -> None:
    user_ids = [entry["user_id"] for entry in volunteers]
    if len(set(user_ids)) != len(user_ids):
        raise ValidationFailed(errors={"volunteers": ["同一名志愿者只能填写一次"]})
    registered = set(db.session.scalars(
        select(VolunteerProfile.user_id).where(VolunteerProfile.user_id.in_(user_ids))))
    missing = [user_id for user_id in user_ids if user_id not in registered]
    if missing:
        raise ValidationFailed(errors={"volunteers": [
            f"用户 {user_id} 尚未注册为志愿者" for user_id in missing]})
    strangers = sorted(set(user_ids) - _responder_ids(request, user_ids))
    if strangers:
        raise NotAResponder(errors={"volunteers": [
            f"用户 {user_id} 不是承接该求助的服务队的响应志愿者" for user_id in strangers]})


def complete(actor: User, request_id: int, report: str,
             volunteers: list[dict]) -> HelpRequest:
    """The assignee reports the request done: what was done, and who served how long.
    Each volunteer, a responder of the assignee who did the work, gets a pending service
    record (source ``help_request``) of the assignee's unit, for its organizers to approve;
    the requester is asked to rate.

    :raises InvalidTransition: :raises Forbidden: :raises ValidationFailed: a volunteer
        listed twice or not registered. :raises NotAResponder: a volunteer who is not a
        responder of the assignee. :raises MinutesOverRecordCap, MinutesOverDailyCap:
    """
    request = _find(request_id)
    _check(actor, request, "complete")
    _checked_volunteers(request, volunteers)
    now = utcnow()
    unit_id = request.team.unit_id if request.team is not None else request.claimed_unit_id
    with atomic():
        _move(actor, request, "complete", reason=report,
              details={"volunteers": [[entry["user_id"], entry["minutes"]]
                                      for entry in volunteers]},
              completion_report=report, completed_at=now)
        for entry in volunteers:
            hours.add_help_request_record(
                actor, user_id=entry["user_id"], unit_id=unit_id,
                credited_minutes=entry["minutes"], category=request.category, served_at=now,
                reason=f"我来帮求助 #{request.id}")
        if request.requester_id is not None:
            notifications.notify([request.requester_id], notifications.HELP_COMPLETED,
                                 f"您的求助已完成：{_help_title(request)}",
                                 "请为志愿者的服务评价",
                                 {"help_request_id": request.id,
                                  "help_title": _help_title(request),
                                  "team_name": request.team.name if request.team else
                                  request.claimed_unit.name})
    return present(request, actor)


def rating_deadline(request: HelpRequest) -> datetime | None:
    """When an unrated completed request counts as rated "satisfied"."""
    if request.completed_at is None:
        return None
    return request.completed_at + timedelta(days=current_app.config["HELP_AUTO_RATE_DAYS"])


def rate(actor: User, request_id: int, rating: int, comment: str = "") -> HelpRequest:
    """The requester rates a completed request 1–5 stars (hotline staff record a caller's
    rating). A comment WeChat flags as risky is refused; one it wants reviewed is kept for
    the dispatchers only.

    :raises InvalidTransition: not completed, or the rating period is over.
    :raises Forbidden: :raises ContentRefused:
    """
    request = _find(request_id)
    _check(actor, request, "rate")
    if utcnow() >= rating_deadline(request):
        settle_overdue_ratings()
        raise InvalidTransition("评价期已过，已默认评价为满意")
    verdict = moderation.PASS
    if comment and request.channel == APP:
        verdict = moderation.verdict(actor, [comment], SCENE_COMMENT)
        if verdict == moderation.RISKY:
            raise ContentRefused()
    with atomic():
        _move(actor, request, "rate", details={"rating": rating, "moderation": verdict},
              rating=rating, rating_comment=comment,
              rating_comment_held=verdict == moderation.REVIEW, rated_at=utcnow())
    return present(request, actor)


def rating_overdue(now: datetime | None = None):
    """SQL: completed and past its rating period, so it counts as rated "satisfied" even
    before :func:`settle_overdue_ratings` wrote it down."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["HELP_AUTO_RATE_DAYS"])
    return and_(HelpRequest.status == HelpStatus.COMPLETED, HelpRequest.completed_at <= cutoff)


def effective_status(now: datetime | None = None):
    """SQL: the status a reader sees (an overdue rating counts as rated)."""
    return case((rating_overdue(now), HelpStatus.RATED), else_=HelpRequest.status)


def effective_rating(now: datetime | None = None):
    """SQL: the rating a reader sees (an overdue rating counts as satisfied)."""
    return case((rating_overdue(now), SATISFIED_RATING), else_=HelpRequest.rating)


def status_is(status: str):
    """SQL: the request's status, as a reader sees it, is ``status``."""
    return effective_status() == status


def show_effective_rating(request: HelpRequest) -> HelpRequest:
    """Show an overdue rating as the settled one, in memory only: the values are set as
    if loaded, so no flush ever writes them (a GET never writes)."""
    deadline = rating_deadline(request)
    if request.status == HelpStatus.COMPLETED and deadline is not None and utcnow() >= deadline:
        for name, value in (("status", HelpStatus.RATED), ("rating", SATISFIED_RATING),
                            ("auto_rated", True), ("rated_at", deadline)):
            set_committed_value(request, name, value)
    return request


def settle_overdue_ratings(now: datetime | None = None) -> int:
    """Count completed requests left unrated for ``HELP_AUTO_RATE_DAYS`` as rated
    "satisfied" (audit-logged, actor none). Idempotent; returns how many were settled.

    The periodic task ``help.settle`` runs it; readers never write, they show the same
    outcome meanwhile (:func:`show_effective_rating`, :func:`status_is`).
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["HELP_AUTO_RATE_DAYS"])
    due = select(HelpRequest.id).where(HelpRequest.status == HelpStatus.COMPLETED,
                                       HelpRequest.completed_at <= cutoff)
    # A read first: with nothing due (nearly always) no write lock is taken.
    if db.session.scalar(due.limit(1)) is None:
        return 0
    with atomic():
        settled = db.session.execute(
            update(HelpRequest)
            .where(HelpRequest.status == HelpStatus.COMPLETED, HelpRequest.completed_at <= cutoff)
            .values(status=HelpStatus.RATED, rating=SATISFIED_RATING, auto_rated=True, rated_at=now,
                    version=HelpRequest.version + 1, updated_at=now)
            .returning(HelpRequest.id)
            .execution_options(synchronize_session=False)
        ).scalars().all()
        for request_id in settled:
            audit(None, "help_request.rate", "help_request", request_id,
                  details={"from": HelpStatus.COMPLETED, "to": HelpStatus.RATED,
                           "rating": SATISFIED_RATING, "auto": True},
                  reason=f"{current_app.config['HELP_AUTO_RATE_DAYS']} 天未评价，默认满意")
    db.session.expire_all()
    return len(settled)


def make_activity(actor: User, request_id: int, values: dict) -> HelpRequest:
    """Turn an accepted request into a (draft) activity of the assignee, to recruit
    volunteers through the calendar. The requester's address and description stay out of
    it: the activity becomes public when published.

    :raises InvalidTransition: not accepted. :raises ActivityExists:
    :raises Forbidden: the actor is not the assignee, or organizes no activities there.
    """
    request = _find(request_id)
    _check(actor, request, "make_activity")
    if request.activity_id is not None:
        raise ActivityExists()
    unit_id = request.team.unit_id if request.team is not None else request.claimed_unit_id
    activity = activities.create_activity(actor, {
        "title": f"我来帮：{request.category}", "audience": "volunteers", "address": "",
        **values, "category": request.category, "unit_id": unit_id,
        "team_id": request.team_id,
    })
    # create_activity commits; the link is a second, conditional step (a concurrent
    # conversion that won leaves this activity a draft nobody published).
    with atomic():
        linked = db.session.execute(
            update(HelpRequest)
            .where(HelpRequest.id == request.id, HelpRequest.activity_id.is_(None),
                   HelpRequest.status == HelpStatus.ACCEPTED)
            .values(activity_id=activity.id, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if not linked:
            raise ActivityExists()
        audit(actor, "help_request.make_activity", "help_request", request.id,
              details={"activity_id": activity.id})
    db.session.refresh(request)
    return present(request, actor)


# --- responders -------------------------------------------------------------------------


def _managed_team(actor: User, team_id: int) -> Team:
    team = db.session.get(Team, team_id)
    if team is None:
        raise NotFound("志愿服务队不存在", error="team_not_found")
    ensure_manages(actor, team.unit)
    return team


def responders(actor: User, team_id: int) -> list[HelpResponder]:
    """Who takes help requests for a team. :raises Forbidden: outside the subtree."""
    team = _managed_team(actor, team_id)
    return list(db.session.scalars(select(HelpResponder).where(HelpResponder.team_id == team.id)
                                   .order_by(HelpResponder.user_id)))


def set_responders(actor: User, team_id: int, user_ids: list[int]) -> list[HelpResponder]:
    """Replace who takes help requests for a team (audit-logged).

    :raises Forbidden: outside the actor's subtree. :raises ValidationFailed: unknown users.
    """
    team = _managed_team(actor, team_id)
    wanted = set(user_ids)
    known = set(db.session.scalars(select(User.id).where(User.id.in_(wanted))))
    if known != wanted:
        raise ValidationFailed(errors={"user_ids": [
            f"用户 {user_id} 不存在" for user_id in sorted(wanted - known)]})
    with atomic():
        current = {row.user_id: row for row in db.session.scalars(
            select(HelpResponder).where(HelpResponder.team_id == team.id))}
        for user_id in set(current) - wanted:
            db.session.delete(current[user_id])
        for user_id in sorted(wanted - set(current)):
            db.session.add(HelpResponder(team_id=team.id, user_id=user_id,
                                         created_by_id=actor.id))
        audit(actor, "help_responders.update", "team", team.id,
              details={"user_ids": sorted(wanted), "previous": sorted(current)})
    return responders(actor, team_id)


def rejected_reason_visible(request: HelpRequest) -> bool:
    """The reason of a rejection is for the requester (and the dispatchers who wrote it)."""
    return request.status == HelpStatus.REJECTED and request.viewer_role in (REQUESTER, DISPATCHER)
