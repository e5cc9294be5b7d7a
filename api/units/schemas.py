"""Unit and team schemas."""

from marshmallow import fields, validate

from api.pagination import PaginationQuerySchema
from api.units.categories import TEAM_CATEGORIES, UNIT_LEVELS
from api.validation import Schema

_LAT = validate.Range(min=-90, max=90)
_LNG = validate.Range(min=-180, max=180)


class UnitSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    level = fields.String()
    parent_id = fields.Integer(allow_none=True)
    path = fields.String()
    address = fields.String()
    lat = fields.Float(allow_none=True)
    lng = fields.Float(allow_none=True)
    phone = fields.String(allow_none=True)


class UnitDetailSchema(UnitSchema):
    children = fields.List(fields.Nested(UnitSchema))


class UnitQuerySchema(PaginationQuerySchema):
    parent_id = fields.Integer(load_default=None)
    level = fields.String(load_default=None, validate=validate.OneOf(UNIT_LEVELS))


class UnitUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=2, max=100))
    address = fields.String(validate=validate.Length(max=255))
    lat = fields.Float(allow_none=True, validate=_LAT)
    lng = fields.Float(allow_none=True, validate=_LNG)
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))


class UnitCreateSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Z0-9][A-Z0-9-]{1,39}$", error="编码为大写字母、数字和横线，如 LY-JL-XC"
        ),
    )
    name = fields.String(required=True, validate=validate.Length(min=2, max=100))
    parent_id = fields.Integer(required=True)
    address = fields.String(load_default="", validate=validate.Length(max=255))
    lat = fields.Float(load_default=None, allow_none=True, validate=_LAT)
    lng = fields.Float(load_default=None, allow_none=True, validate=_LNG)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class TeamSchema(Schema):
    id = fields.Integer()
    code = fields.String(allow_none=True)
    name = fields.String()
    category = fields.String()
    unit_id = fields.Integer()
    unit_name = fields.Function(lambda team: team.unit.name)
    leader_name = fields.String()
    member_count = fields.Integer()


class TeamQuerySchema(PaginationQuerySchema):
    unit_id = fields.Integer(load_default=None)
    category = fields.String(load_default=None, validate=validate.OneOf(TEAM_CATEGORIES))


class TeamCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=100))
    category = fields.String(required=True, validate=validate.OneOf(TEAM_CATEGORIES))
    unit_id = fields.Integer(required=True)
    leader_name = fields.String(load_default="", validate=validate.Length(max=40))
    member_count = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100_000))


class TeamUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=2, max=100))
    category = fields.String(validate=validate.OneOf(TEAM_CATEGORIES))
    unit_id = fields.Integer()
    leader_name = fields.String(validate=validate.Length(max=40))
    member_count = fields.Integer(validate=validate.Range(min=0, max=100_000))
