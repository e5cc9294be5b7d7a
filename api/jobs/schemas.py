from marshmallow import fields

from api.validation import LocalDateTime, Schema


class JobSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String(metadata={"description": "queued | running | done | failed"})
    progress = fields.Integer()
    message = fields.String()
    result = fields.Dict()
    created_at = LocalDateTime()
    started_at = LocalDateTime(allow_none=True)
    finished_at = LocalDateTime(allow_none=True)
