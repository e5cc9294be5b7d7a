"""Calendar feed schemas."""

from marshmallow import fields, validate

from api.validation import Schema


class UnitFeedQuerySchema(Schema):
    unit_id = fields.Integer(
        load_default=None, metadata={"description": "单位及其下级；不填为全县"}
    )


class PersonalFeedQuerySchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=64))


class CalendarFeedSchema(Schema):
    url = fields.String(metadata={"description": "订阅地址（含密钥，勿外传）"})
    webcal_url = fields.String(metadata={"description": "webcal:// 形式，供日历应用一键订阅"})
