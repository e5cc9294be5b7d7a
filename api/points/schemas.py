"""Points schemas: my account and ledger, merchants, rewards, redemptions.

A merchant never sees who redeemed (no name, phone or code of the volunteer in its list).
"""

from flask import url_for
from marshmallow import fields, validate

from api.pagination import PaginationQuerySchema, PaginationSchema
from api.points.models import ENTRY_KINDS, RedemptionStatus
from api.validation import LocalDateTime, Schema

_SHOP_PHONE = validate.Regexp(r"^[0-9+\- ]{0,40}$", error="电话号码格式不正确")


class PointsEntrySchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": " | ".join(ENTRY_KINDS)})
    points = fields.Integer(metadata={"description": "正数为获得，负数为支出"})
    year = fields.Integer(metadata={"description": "积分所属年度（当年年底清零）"})
    service_record_id = fields.Integer(allow_none=True)
    redemption_id = fields.Integer(allow_none=True)
    note = fields.String()
    created_at = LocalDateTime()


class MyPointsSchema(Schema):
    """``balance`` equals the sum of this year's entries."""

    balance = fields.Integer()
    year = fields.Integer()
    expires_on = fields.Date(metadata={"description": "本年度积分的清零日期"})
    entries = fields.List(fields.Nested(PointsEntrySchema))
    pagination = fields.Nested(PaginationSchema)


class MerchantSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    unit_id = fields.Integer()
    unit_name = fields.Function(lambda merchant: merchant.unit.name)
    address = fields.String()
    phone = fields.String()
    description = fields.String()
    is_active = fields.Boolean()


class MerchantCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=100))
    unit_id = fields.Integer(required=True)
    admin_id = fields.Integer(required=True, metadata={"description": "商家管理员的用户 id"})
    address = fields.String(load_default="", validate=validate.Length(max=255))
    phone = fields.String(load_default="", validate=_SHOP_PHONE)
    description = fields.String(load_default="", validate=validate.Length(max=2000))


class MerchantUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=2, max=100))
    address = fields.String(validate=validate.Length(max=255))
    phone = fields.String(validate=_SHOP_PHONE)
    description = fields.String(validate=validate.Length(max=2000))
    is_active = fields.Boolean()


class MerchantQuerySchema(PaginationQuerySchema):
    unit_id = fields.Integer(load_default=None)


class RewardSchema(Schema):
    id = fields.Integer()
    merchant_id = fields.Integer()
    merchant_name = fields.Function(lambda reward: reward.merchant.name)
    name = fields.String()
    description = fields.String()
    points_cost = fields.Integer()
    stock = fields.Integer()
    is_active = fields.Boolean()


class RewardCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=100))
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    points_cost = fields.Integer(required=True, validate=validate.Range(min=1, max=1_000_000))
    stock = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))
    is_active = fields.Boolean(load_default=True)


class RewardUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=2, max=100))
    description = fields.String(validate=validate.Length(max=2000))
    points_cost = fields.Integer(validate=validate.Range(min=1, max=1_000_000))
    is_active = fields.Boolean()


class RestockSchema(Schema):
    quantity = fields.Integer(
        required=True,
        validate=validate.Range(min=-1_000_000, max=1_000_000),
        metadata={"description": "补充（正数）或撤下（负数）的数量"},
    )


class RewardQuerySchema(PaginationQuerySchema):
    merchant_id = fields.Integer(load_default=None)
    unit_id = fields.Integer(load_default=None)


class RedemptionSchema(Schema):
    """A redemption as its volunteer sees it: the code to show, and its QR code."""

    id = fields.Integer()
    code = fields.String()
    qr_url = fields.Function(
        lambda redemption: url_for("points.redemption_qr", redemption_id=redemption.id)
    )
    reward_id = fields.Integer()
    reward_name = fields.Function(lambda redemption: redemption.reward.name)
    merchant_id = fields.Integer()
    merchant_name = fields.Function(lambda redemption: redemption.reward.merchant.name)
    points = fields.Integer()
    status = fields.String(metadata={"description": " | ".join(RedemptionStatus)})
    created_at = LocalDateTime()
    expires_at = LocalDateTime()
    confirmed_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)


class MerchantRedemptionSchema(Schema):
    """A redemption as the merchant sees it: what, how many points, when; not who."""

    id = fields.Integer()
    reward_id = fields.Integer()
    reward_name = fields.Function(lambda redemption: redemption.reward.name)
    points = fields.Integer()
    status = fields.String()
    created_at = LocalDateTime()
    expires_at = LocalDateTime()
    confirmed_at = LocalDateTime(allow_none=True)


class MerchantRedemptionQuerySchema(PaginationQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(tuple(RedemptionStatus)))


class ConfirmSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=4, max=32))
