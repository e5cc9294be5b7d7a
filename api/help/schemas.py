"""Help request schemas: the resident's and the hotline's input, each move's input, the
request as its dispatchers, assignee and requester see it, and the public board.

The contact fields are filled per viewer by :func:`api.help.privacy.present` (decrypted or
masked); the public board has no field that could name or find the requester.
"""

import re

from marshmallow import ValidationError, fields, post_load, validate

from api.activities.vocabulary import AUDIENCES, THEMES
from api.help.access import ASSIGNEE, REQUESTER
from api.help.escalation import is_overdue
from api.help.privacy import rejected_reason_visible
from api.help.states import CHANNELS, HOTLINE, STATUS_LABELS, HelpStatus
from api.pagination import PaginationQuerySchema
from api.units.categories import TEAM_CATEGORIES
from api.validation import LocalDateTime, Schema

_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
_CATEGORY = validate.OneOf(TEAM_CATEGORIES, error="服务类别应为以下之一：{choices}")
_STATUS = validate.OneOf(tuple(HelpStatus), error="状态应为以下之一：{choices}")


def _seconds_between(start, end) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds())


def _trimmed(text: str) -> str:
    return text.strip()


class HelpRequestCreateSchema(Schema):
    """What a resident (or hotline staff for a caller) tells us."""

    category = fields.String(
        required=True, validate=_CATEGORY, metadata={"description": "服务类别（11+N）"}
    )
    description = fields.String(required=True, validate=validate.Length(min=5, max=1000))
    address = fields.String(required=True, validate=validate.Length(min=2, max=200))
    contact_name = fields.String(required=True, validate=validate.Length(min=1, max=40))
    phone = fields.String(required=True, metadata={"description": "手机号或座机号"})
    preferred_time = fields.String(
        load_default="",
        validate=validate.Length(max=100),
        metadata={"description": "希望的服务时间，如“周六上午”"},
    )
    unit_id = fields.Integer(
        required=True, metadata={"description": "所在村（社区）实践站或乡镇实践所"}
    )
    channel = fields.String(
        load_default="app",
        validate=validate.OneOf(CHANNELS),
        metadata={"description": "hotline：热线工作人员代录（需调度权限）"},
    )

    @post_load
    def _normalise(self, data, **kwargs):
        for name in ("description", "address", "contact_name", "preferred_time"):
            data[name] = _trimmed(data[name])
        phone = re.sub(r"[\s()（）]", "", data["phone"])
        if not _PHONE.match(phone):
            raise ValidationError({"phone": ["电话号码格式不正确"]})
        data["phone"] = phone
        if len(data["description"]) < 5:
            raise ValidationError({"description": ["请具体描述需要什么帮助（至少 5 个字）"]})
        return data


class ReasonSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=255))


class RouteSchema(Schema):
    unit_id = fields.Integer(required=True)


class DispatchSchema(Schema):
    team_id = fields.Integer(required=True)


class VolunteerMinutesSchema(Schema):
    user_id = fields.Integer(required=True)
    minutes = fields.Integer(required=True, validate=validate.Range(min=1, max=24 * 60))


class CompleteSchema(Schema):
    report = fields.String(
        required=True,
        validate=validate.Length(min=2, max=2000),
        metadata={"description": "办结情况"},
    )
    volunteers = fields.List(
        fields.Nested(VolunteerMinutesSchema),
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "参与的志愿者及服务分钟数"},
    )


class RateSchema(Schema):
    rating = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default="", validate=validate.Length(max=500))


class HelpActivitySchema(Schema):
    """The activity an accepted request becomes (its unit, team and category are the
    request's assignee's and category)."""

    title = fields.String(validate=validate.Length(min=2, max=120))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    theme = fields.String(load_default="caring", validate=validate.OneOf(THEMES))
    address = fields.String(load_default="", validate=validate.Length(max=255))
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True)
    capacity = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=100_000)
    )
    audience = fields.String(load_default="volunteers", validate=validate.OneOf(AUDIENCES))


class HelpRequestSchema(Schema):
    """A request as a dispatcher in scope, the assignee or the requester sees it."""

    id = fields.Integer()
    channel = fields.String(metadata={"description": "app | hotline"})
    status = fields.String(metadata={"description": " | ".join(HelpStatus)})
    status_label = fields.Function(lambda help_request: STATUS_LABELS[help_request.status])
    category = fields.String()
    description = fields.String()
    preferred_time = fields.String()
    contact_name = fields.String(metadata={"description": "求助人（求助人本人看到的是脱敏值）"})
    phone = fields.String(metadata={"description": "联系电话（求助人本人看到的是脱敏值）"})
    address = fields.String(metadata={"description": "地址（求助人本人看到的也是全文）"})
    unit_id = fields.Integer()
    unit_name = fields.Function(lambda help_request: help_request.unit.name)
    township_id = fields.Integer(allow_none=True)
    township_name = fields.Function(
        lambda help_request: help_request.township.name if help_request.township else None
    )
    team_id = fields.Integer(allow_none=True)
    team_name = fields.Function(
        lambda help_request: help_request.team.name if help_request.team else None
    )
    claimed_unit_id = fields.Integer(allow_none=True)
    activity_id = fields.Integer(allow_none=True)
    moderation = fields.Function(
        lambda help_request: (
            None if help_request.viewer_role == REQUESTER else help_request.moderation
        ),
        metadata={"description": "pass | review | staff（求助人本人不可见）"},
    )
    reject_reason = fields.Function(
        lambda help_request: (
            help_request.reject_reason if rejected_reason_visible(help_request) else None
        )
    )
    cancel_reason = fields.String()
    completion_report = fields.String()
    rating = fields.Integer(allow_none=True)
    rating_comment = fields.Function(
        lambda help_request: (
            help_request.rating_comment
            if not help_request.rating_comment_held or help_request.viewer_role != ASSIGNEE
            else None
        )
    )
    rating_comment_held = fields.Boolean()
    auto_rated = fields.Boolean()
    created_at = LocalDateTime()
    dispatched_at = LocalDateTime(allow_none=True)
    assigned_at = LocalDateTime(allow_none=True)
    accepted_at = LocalDateTime(allow_none=True)
    completed_at = LocalDateTime(allow_none=True)
    rated_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    time_to_dispatch_seconds = fields.Function(
        lambda help_request: _seconds_between(help_request.created_at, help_request.dispatched_at)
    )
    time_to_accept_seconds = fields.Function(
        lambda help_request: _seconds_between(help_request.assigned_at, help_request.accepted_at)
    )
    time_to_complete_seconds = fields.Function(
        lambda help_request: _seconds_between(help_request.accepted_at, help_request.completed_at)
    )
    overdue = fields.Function(
        is_overdue,
        metadata={
            "description": "等待派单或接单超时（HELP_ESCALATE_DISPATCH_HOURS / _ACCEPT_HOURS）"
        },
    )
    viewer_role = fields.String(metadata={"description": "dispatcher | assignee | requester"})
    actions = fields.List(fields.String(), metadata={"description": "我现在可以执行的操作"})


class PublicHelpRequestSchema(Schema):
    """A request on the public board: what kind of help, in which township, how far."""

    id = fields.Integer()
    category = fields.String()
    township = fields.Function(
        lambda help_request: (
            help_request.township.name if help_request.township else help_request.unit.name
        )
    )
    status = fields.String()


class BoardQuerySchema(PaginationQuerySchema):
    unit_id = fields.Integer(load_default=None)
    category = fields.String(load_default=None, validate=_CATEGORY)
    status = fields.String(load_default=None, validate=_STATUS)


class QueueQuerySchema(BoardQuerySchema):
    """Without ``status``: the requests waiting for a dispatcher (held and submitted)."""

    overdue = fields.Boolean(load_default=False, metadata={"description": "只列出超时未接单的求助"})


class AssignedQuerySchema(PaginationQuerySchema):
    status = fields.String(load_default=None, validate=_STATUS)


class ResponderSchema(Schema):
    user_id = fields.Integer()
    nickname = fields.Function(lambda responder: responder.user.nickname)
    created_at = LocalDateTime()


class ResponderListSchema(Schema):
    user_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(max=50))


def is_hotline(values: dict) -> bool:
    return values.get("channel") == HOTLINE
