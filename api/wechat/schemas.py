"""WeChat schemas."""

from marshmallow import fields, validate

from api.validation import Schema


class PhoneCodeSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=128), metadata={
        "description": "the code of a getPhoneNumber button's event"})


class PhoneSchema(Schema):
    phone = fields.String(metadata={"description": "masked: 138****5678"})
