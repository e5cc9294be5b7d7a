"""Family members in and out: the guardian sees the child's name and birth date, the ID
number masked; consent with its time and text version."""

from marshmallow import fields, post_load, validate

from api.accounts.fields import IdNumber
from api.families.services import ADULT_AGE
from api.personal_data import decrypt, mask_id_number
from api.validation import LocalDateTime, Schema

RELATIONS = ("子女", "孙子女", "外孙子女", "其他被监护人")
_CONSENT_VERSION = "监护人所阅读同意书的版本，须为当前版本（GET /family/consent-text）"


class ConsentTextSchema(Schema):
    version = fields.String()
    text = fields.String()


class FamilyMemberSchema(Schema):
    id = fields.Integer()
    relation = fields.String()
    consented = fields.Boolean()
    consent_version = fields.String()
    consent_given_at = LocalDateTime()
    consent_withdrawn_at = LocalDateTime(allow_none=True)
    # Hidden once consent is withdrawn: the guardian sees only that the member was there.
    real_name = fields.Function(lambda member: member.real_name if member.consented else None)
    birth_date = fields.Function(
        lambda member: member.birth_date.isoformat() if member.consented else None
    )
    id_number = fields.Function(
        lambda member: (
            mask_id_number(decrypt(member.id_number_encrypted))
            if member.consented and member.id_number_encrypted
            else None
        )
    )


class FamilyMemberCreateSchema(Schema):
    real_name = fields.String(required=True, validate=validate.Length(min=2, max=40))
    birth_date = fields.Date(required=True, metadata={"description": f"须未满 {ADULT_AGE} 周岁"})
    relation = fields.String(load_default="子女", validate=validate.OneOf(RELATIONS))
    id_number = IdNumber(
        load_default=None,
        allow_none=True,
        metadata={"description": "可省略；填写时其中的出生日期须与 birth_date 一致"},
    )
    consent = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error="需监护人阅读并同意后才能添加"),
        metadata={"description": "监护人同意 consent_version 版本的同意书"},
    )
    consent_version = fields.String(
        required=True, validate=validate.Length(max=20), metadata={"description": _CONSENT_VERSION}
    )

    @post_load
    def _normalize(self, data: dict, **_) -> dict:
        data.pop("consent")
        data["real_name"] = data["real_name"].strip()
        return data


class ConsentSchema(Schema):
    consent = fields.Boolean(
        required=True, validate=validate.Equal(True, error="请阅读并同意后再确认")
    )
    consent_version = fields.String(
        required=True, validate=validate.Length(max=20), metadata={"description": _CONSENT_VERSION}
    )


class MemberSignupCreateSchema(Schema):
    activity_id = fields.Integer(required=True)


class MemberSignupSchema(Schema):
    """The child's sign-up, and the guardian's own when the guardian goes too."""

    id = fields.Integer()
    activity_id = fields.Integer()
    status = fields.String()
    guardian_signup_status = fields.String(allow_none=True)
