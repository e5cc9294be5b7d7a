"""我来帮: who may do what to a help request.

Dispatchers are the unit admins (and admins) whose subtree holds the request's unit. The
assigned team acts through its responders (:class:`HelpResponder`); a request a station
claimed is handled by the admins of that station. The requester cancels and rates their own
request; hotline staff enter requests for callers and record their rating.

A move is checked actor first (:func:`ensure_may`): whoever may not make it is refused with
403 whatever the request's status, and only then does a status the table
(:data:`api.help.states.TRANSITIONS`) does not allow answer 409 ``invalid_transition``.
"""

from sqlalchemy import select

from api.accounts import roles
from api.accounts.models import User
from api.auth.permissions import covers
from api.errors import ApiError, Forbidden
from api.extensions import db
from api.help.errors import ActivityExists, InvalidTransition, NotRoutedToStation
from api.help.models import HelpRequest, HelpResponder
from api.help.states import HOTLINE, STATUS_LABELS, TRANSITIONS, HelpStatus

DISPATCHER, ASSIGNEE, REQUESTER = "dispatcher", "assignee", "requester"

_ACTION_LABELS = {
    "release": "放行",
    "reject": "不予受理",
    "route": "转派到下级",
    "dispatch": "派单",
    "redispatch": "改派",
    "requeue": "退回待派单",
    "claim": "认领",
    "accept": "接单",
    "complete": "办结",
    "rate": "评价",
    "cancel": "取消",
    "make_activity": "转为活动",
}


class Standing:
    """How one user stands to help requests: their dispatcher grants (in memory) and the
    teams they respond for (read once, then reused for every request of a page)."""

    def __init__(self, user: User | None) -> None:
        self.user = user
        self._teams: frozenset[int] | None = None

    @property
    def teams(self) -> frozenset[int]:
        if self._teams is None:
            self._teams = (
                frozenset()
                if self.user is None
                else frozenset(
                    db.session.scalars(
                        select(HelpResponder.team_id).where(HelpResponder.user_id == self.user.id)
                    )
                )
            )
        return self._teams

    def dispatches(self, help_request: HelpRequest) -> bool:
        """An admin whose subtree holds the request's unit."""
        return covers(self.user, help_request.unit, roles.MANAGING_ROLES)

    def holds(self, help_request: HelpRequest) -> bool:
        """Acts for whoever has the request now: a responder of its team, or an admin of
        the station that claimed it."""
        if help_request.team_id is not None:
            return help_request.team_id in self.teams
        if help_request.claimed_unit is not None:
            return covers(self.user, help_request.claimed_unit, roles.MANAGING_ROLES)
        return False

    def asked(self, help_request: HelpRequest) -> bool:
        return self.user is not None and help_request.requester_id == self.user.id

    def role(self, help_request: HelpRequest) -> str | None:
        """dispatcher, assignee, requester, or None (the public board is all they get)."""
        if self.user is None:
            return None
        if self.dispatches(help_request):
            return DISPATCHER
        if self.holds(help_request):
            return ASSIGNEE
        if self.asked(help_request):
            return REQUESTER
        return None

    def may(self, help_request: HelpRequest, action: str) -> bool:
        """Whether the user may make ``action`` (its status aside)."""
        if self.user is None:
            return False
        if action in ("release", "reject", "route", "dispatch", "redispatch", "requeue", "claim"):
            return self.dispatches(help_request)
        if action in ("accept", "complete", "make_activity"):
            return self.holds(help_request)
        if action in ("rate", "cancel"):
            # Hotline callers have no account: the staff act for them.
            return self.asked(help_request) or (
                help_request.channel == HOTLINE and self.dispatches(help_request)
            )
        return False

    def next_actions(self, help_request: HelpRequest) -> list[str]:
        """The moves the user may make now (for the mini-program's buttons)."""
        return [
            action
            for action in (*TRANSITIONS, "make_activity")
            if self.may(help_request, action) and _refusal(help_request, action) is None
        ]


def _refusal(help_request: HelpRequest, action: str) -> ApiError | None:
    """Why the request's state refuses ``action`` to anybody, or None when it allows it."""
    allowed_from = (HelpStatus.ACCEPTED,) if action == "make_activity" else TRANSITIONS[action][0]
    if help_request.status not in allowed_from:
        return InvalidTransition(
            f"求助当前为“{STATUS_LABELS[help_request.status]}”，不能{_ACTION_LABELS[action]}"
        )
    if action == "claim" and help_request.unit.level != "station":
        return NotRoutedToStation()
    if action == "make_activity" and help_request.activity_id is not None:
        return ActivityExists()
    return None


def ensure_may(user: User, help_request: HelpRequest, action: str) -> None:
    """Check that ``user`` may make ``action`` on the request now: the actor first, so that
    a caller without the role learns nothing of the state.

    :raises Forbidden: the user may not make it, whatever the status.
    :raises InvalidTransition: the status does not allow it.
    :raises NotRoutedToStation: a claim of a request waiting at a township or the center.
    :raises ActivityExists: a request already turned into an activity.
    """
    if not Standing(user).may(help_request, action):
        raise Forbidden("您无权对该求助执行此操作")
    refusal = _refusal(help_request, action)
    if refusal is not None:
        raise refusal
