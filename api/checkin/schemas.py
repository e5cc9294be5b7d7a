"""Check-in schemas: the venue code, scans, staff entries, attendance and credited hours."""

from marshmallow import ValidationError, fields, validate, validates_schema

from api.validation import LocalDateTime, Schema, latitude_field, longitude_field


class CheckinCodeSchema(Schema):
    token = fields.String()
    expires_at = LocalDateTime()
    qr_svg = fields.String(metadata={"description": "二维码（SVG 文本）"})


class ScanSchema(Schema):
    """A scan of the venue code, with the phone's position when the activity is fenced."""

    token = fields.String(required=True, validate=validate.Length(min=1, max=500))
    lat = latitude_field()
    lng = longitude_field()

    @validates_schema
    def _both_or_neither(self, data, **_):
        if (data.get("lat") is None) != (data.get("lng") is None):
            raise ValidationError("lat 和 lng 需同时提供", "lat")


class StaffEntrySchema(Schema):
    user_id = fields.Integer(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=2, max=255))


class AttendanceSchema(Schema):
    id = fields.Integer()
    signup_id = fields.Integer()
    activity_id = fields.Function(lambda attendance: attendance.signup.activity_id)
    user_id = fields.Function(lambda attendance: attendance.signup.user_id)
    checked_in_at = LocalDateTime()
    checked_out_at = LocalDateTime(allow_none=True)
    method = fields.String(metadata={"description": "qr | staff | hotline"})
    distance_metres = fields.Integer(allow_none=True)
    reason = fields.String()


class ServiceRecordSchema(Schema):
    id = fields.Integer()
    activity_id = fields.Integer()
    unit_id = fields.Integer()
    credited_minutes = fields.Integer()
    source = fields.String()
    status = fields.String(metadata={"description": "pending | approved | rejected | voided"})
    created_at = LocalDateTime()


class CheckoutSchema(Schema):
    attendance = fields.Nested(AttendanceSchema)
    service_record = fields.Nested(ServiceRecordSchema)
