"""Notification schemas: grants, preferences, the inbox."""

from marshmallow import fields, validate

from api.notifications.kinds import KINDS, LABELS
from api.pagination import PaginationQuerySchema
from api.validation import LocalDateTime, Schema


class SubscriptionsSchema(Schema):
    template_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        required=True,
        validate=validate.Length(min=1, max=20),
        metadata={"description": "template ids the user accepted in wx.requestSubscribeMessage"},
    )


class KindSettingSchema(Schema):
    kind = fields.String()
    label = fields.String()
    enabled = fields.Boolean()
    template_id = fields.String(
        allow_none=True,
        metadata={
            "description": "pass to wx.requestSubscribeMessage; null: never sent through WeChat"
        },
    )
    remaining_grants = fields.Integer(
        metadata={"description": "subscribe messages of this template still allowed"}
    )


class NotificationSettingsSchema(Schema):
    kinds = fields.List(fields.Nested(KindSettingSchema))


class KindChangeSchema(Schema):
    kind = fields.String(required=True, metadata={"description": " | ".join(KINDS)})
    enabled = fields.Boolean(required=True)


class NotificationSettingsUpdateSchema(Schema):
    kinds = fields.List(
        fields.Nested(KindChangeSchema), required=True, validate=validate.Length(min=1, max=50)
    )


class InboxQuerySchema(PaginationQuerySchema):
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))


class InboxItemSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    label = fields.Function(lambda notification: LABELS.get(notification.kind, ""))
    title = fields.String()
    body = fields.String()
    activity_id = fields.Function(
        lambda notification: (notification.payload or {}).get("activity_id")
    )
    payload = fields.Dict()
    created_at = LocalDateTime()
    delivery = fields.String(
        attribute="status",
        metadata={"description": "WeChat delivery: pending | sending | sent | skipped | failed"},
    )
    delivery_reason = fields.String(
        attribute="last_error",
        metadata={
            "description": "why it was skipped or failed: no_grant | kind_disabled | "
            "no_openid | no_template | stale | wechat_refused | "
            "wechat_unavailable | delivery_unknown | ..."
        },
    )
    delivered_at = LocalDateTime(attribute="sent_at", allow_none=True)
