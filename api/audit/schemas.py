"""Audit log schemas: the filters in, entries out."""

from marshmallow import ValidationError, fields, validate, validates_schema

from api.pagination import PaginationQuerySchema
from api.validation import LocalDateTime, Schema


class AuditActorSchema(Schema):
    id = fields.Integer()
    username = fields.String(allow_none=True)
    nickname = fields.String()


class AuditEntrySchema(Schema):
    id = fields.Integer()
    actor = fields.Nested(
        AuditActorSchema, allow_none=True, metadata={"description": "为空表示系统任务或命令行"}
    )
    action = fields.String(metadata={"description": "如 role.grant、activity.publish"})
    entity_type = fields.String()
    entity_id = fields.String()
    details = fields.Dict()
    reason = fields.String()
    created_at = LocalDateTime()


class AuditQuerySchema(PaginationQuerySchema):
    actor_id = fields.Integer(load_default=None)
    entity_type = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    entity_id = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    action = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=60),
        metadata={"description": "动作或其前缀，如 role."},
    )
    start = fields.Date(load_default=None, metadata={"description": "起始日期（含）"})
    end = fields.Date(load_default=None, metadata={"description": "截止日期（含）；不得早于 start"})

    @validates_schema
    def _ordered(self, data: dict, **_) -> None:
        if data["start"] and data["end"] and data["start"] > data["end"]:
            raise ValidationError("截止日期不能早于起始日期", "end")
