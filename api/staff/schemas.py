"""Staff administration schemas: people as an administrator sees them (masked), grants,
password resets."""

from marshmallow import fields, validate

from api.accounts.schemas import RoleGrantSchema, UnitRefSchema
from api.pagination import PaginationQuerySchema
from api.personal_data import decrypt, mask_name, mask_phone
from api.staff.services import GRANTABLE_ROLES
from api.validation import LocalDateTime, Schema

_ROLE = validate.OneOf(GRANTABLE_ROLES)
_USERNAME = validate.Regexp(
    r"^[A-Za-z0-9_.-]{3,64}$", error="用户名为 3–64 位字母、数字、点、横线或下划线"
)


class GrantSchema(RoleGrantSchema):
    id = fields.Integer()
    unit_code = fields.Function(lambda grant: grant.unit.code if grant.unit else None)


class StaffUserSchema(Schema):
    """A person as an administrator sees them: real name and phone masked, never the openid."""

    id = fields.Integer()
    username = fields.String(allow_none=True)
    nickname = fields.String()
    real_name = fields.Function(
        lambda user: mask_name(user.volunteer.real_name) if user.volunteer else None
    )
    phone = fields.Function(
        lambda user: mask_phone(decrypt(user.volunteer.phone_encrypted)) if user.volunteer else None
    )
    unit = fields.Function(
        lambda user: UnitRefSchema().dump(user.volunteer.unit) if user.volunteer else None,
        metadata={"description": "志愿者登记的单位"},
    )
    is_volunteer = fields.Function(lambda user: user.volunteer is not None)
    is_active = fields.Boolean()
    grants = fields.List(fields.Nested(GrantSchema))
    created_at = LocalDateTime()
    last_login_at = LocalDateTime(allow_none=True)


class UserQuerySchema(PaginationQuerySchema):
    q = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "用户名、昵称、姓名，或完整手机号"},
    )
    unit_id = fields.Integer(load_default=None)
    role = fields.String(load_default=None, validate=_ROLE)


class GrantCreateSchema(Schema):
    role = fields.String(required=True, validate=_ROLE)
    unit_id = fields.Integer(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class RevokeQuerySchema(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class PasswordResetSchema(Schema):
    password = fields.String(
        load_default=None,
        allow_none=True,
        load_only=True,
        validate=validate.Length(min=8, max=128),
        metadata={"description": "不填则生成一次性密码"},
    )


class PasswordResetResultSchema(Schema):
    user_id = fields.Integer()
    username = fields.String()
    password = fields.String(
        allow_none=True, metadata={"description": "生成的一次性密码（自行设置时为空）"}
    )
    signed_out = fields.Boolean(metadata={"description": "此前签发的登录凭证均已失效"})


class StaffCreateSchema(Schema):
    username = fields.String(required=True, validate=_USERNAME)
    nickname = fields.String(load_default="", validate=validate.Length(max=64))
    role = fields.String(required=True, validate=_ROLE)
    unit_id = fields.Integer(required=True)


class StaffCreatedSchema(Schema):
    user = fields.Nested(StaffUserSchema)
    password = fields.String(metadata={"description": "一次性密码，只显示这一次"})
