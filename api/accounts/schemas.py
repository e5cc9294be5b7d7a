"""Account schemas: logins in, tokens and profiles out (personal data masked)."""

from marshmallow import ValidationError, fields, post_load, validate, validates

from api.accounts.fields import IdNumber
from api.accounts.identity import normalize_phone
from api.personal_data import decrypt, mask_id_number, mask_phone
from api.signups.no_shows import no_show_count
from api.validation import LocalDateTime, Schema


class WeChatLoginSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=128))


class WeChatWebLoginSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=256))
    state = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9]{1,128}$"))


class PasswordLoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=256)
    )


class RoleGrantSchema(Schema):
    role = fields.String()
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.Function(lambda grant: grant.unit.name if grant.unit else None)


class UnitRefSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class VolunteerSchema(Schema):
    """A volunteer profile as its owner sees it: phone and ID number masked."""

    real_name = fields.String()
    phone = fields.Function(lambda profile: mask_phone(decrypt(profile.phone_encrypted)))
    # A claimed number (held by another account, awaiting staff) shows like a bound one:
    # the owner's view must not tell whether a number is registered elsewhere.
    id_number = fields.Function(
        lambda profile: (
            mask_id_number(decrypt(encrypted))
            if (encrypted := profile.id_number_encrypted or profile.id_number_claim_encrypted)
            else None
        )
    )
    birth_date = fields.Date(allow_none=True)
    unit = fields.Nested(UnitRefSchema)
    skills = fields.List(fields.String())
    guardian_consent = fields.Boolean()


class MeSchema(Schema):
    id = fields.Integer()
    nickname = fields.String()
    username = fields.String(allow_none=True)
    roles = fields.Method("role_names")
    grants = fields.List(fields.Nested(RoleGrantSchema))
    volunteer = fields.Nested(VolunteerSchema, allow_none=True)
    no_show_count = fields.Function(
        lambda user: no_show_count(user.id),
        metadata={
            "description": "confirmed sign-ups I did not come to (marked after the activity)"
        },
    )

    def role_names(self, user) -> list[str]:
        names = {"resident"} | {grant.role for grant in user.grants}
        if user.volunteer is not None:
            names.add("volunteer")
        return sorted(names)


class TokenSchema(Schema):
    """A sign-in's answer. With ``?session=cookie`` (the web pages) the two tokens are left
    out: they travel in HttpOnly cookies instead."""

    token = fields.String(metadata={"description": "access token (Bearer), short-lived"})
    expires_at = LocalDateTime()
    refresh_token = fields.String(metadata={"description": "for POST /auth/refresh; works once"})
    refresh_expires_at = LocalDateTime()
    user = fields.Nested(MeSchema)


class SessionModeSchema(Schema):
    session = fields.String(
        load_default="bearer",
        validate=validate.OneOf(["bearer", "cookie"]),
        metadata={
            "description": "cookie: the web pages' HttpOnly cookie session (tokens not in the body)"
        },
    )


class RefreshSchema(Schema):
    refresh_token = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=1000),
        metadata={"description": "omitted by the web pages: their refresh token is a cookie"},
    )


class VolunteerRegistrationSchema(Schema):
    real_name = fields.String(required=True, validate=validate.Length(min=2, max=40))
    phone = fields.String(required=True)
    id_number = IdNumber(load_default=None, allow_none=True)
    birth_date = fields.Date(load_default=None, allow_none=True)
    unit_id = fields.Integer(required=True)
    skills = fields.List(
        fields.String(validate=validate.Length(min=1, max=20)),
        load_default=list,
        validate=validate.Length(max=20),
    )

    @validates("phone")
    def _phone(self, value: str, **_) -> None:
        try:
            normalize_phone(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    @post_load
    def _normalize(self, data: dict, **_) -> dict:
        data["real_name"] = data["real_name"].strip()
        data["phone"] = normalize_phone(data["phone"])
        return data


class PhoneCodeSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=128),
        metadata={"description": "the code of a getPhoneNumber button's event"},
    )


class PhoneSchema(Schema):
    phone = fields.String(metadata={"description": "masked: 138****5678"})
