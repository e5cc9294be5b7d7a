"""Sign-up schemas."""

from marshmallow import fields, post_load, validate

from api.accounts.identity import normalize_phone
from api.activities.schemas import ActivitySchema
from api.personal_data import mask_name
from api.signups.services import waitlist_position
from api.timeutil import to_local
from api.validation import LocalDateTime, Schema


class SignupSchema(Schema):
    id = fields.Integer()
    activity_id = fields.Integer()
    status = fields.String(
        metadata={"description": "confirmed | waitlisted | cancelled | attended | no_show"}
    )
    waitlist_position = fields.Function(waitlist_position)
    assisted = fields.Function(lambda signup: signup.assisted_by_id is not None)
    created_at = LocalDateTime()


class MySignupSchema(SignupSchema):
    activity = fields.Nested(ActivitySchema)
    checked_in_at = fields.Function(lambda signup: _local(signup.attendance, "checked_in_at"))
    checked_out_at = fields.Function(lambda signup: _local(signup.attendance, "checked_out_at"))


def _local(attendance, name: str) -> str | None:
    moment = getattr(attendance, name) if attendance is not None else None
    return to_local(moment).isoformat() if moment is not None else None


class AssistedSignupSchema(Schema):
    real_name = fields.String(required=True, validate=validate.Length(min=2, max=40))
    phone = fields.String(required=True, validate=validate.Regexp(r"^\+?[\d\s-]{11,16}$"))

    @post_load
    def _normalize(self, data, **_):
        try:
            data["phone"] = normalize_phone(data["phone"])
        except ValueError as exc:
            from marshmallow import ValidationError

            raise ValidationError(str(exc), "phone") from exc
        return data


class RosterAttendanceSchema(Schema):
    checked_in_at = LocalDateTime()
    checked_out_at = LocalDateTime(allow_none=True)
    method = fields.String()
    distance_metres = fields.Integer(allow_none=True)


class RosterEntrySchema(Schema):
    signup_id = fields.Integer(attribute="id")
    user_id = fields.Integer()
    name = fields.Function(lambda signup: _display_name(signup.user))
    status = fields.String()
    waitlist_position = fields.Integer(attribute="position", allow_none=True)
    assisted = fields.Function(lambda signup: signup.assisted_by_id is not None)
    created_at = LocalDateTime()
    attendance = fields.Nested(RosterAttendanceSchema, allow_none=True)
    no_show_count = fields.Integer(metadata={"description": "times this person did not come"})


def _display_name(user) -> str:
    """Volunteers by masked real name, others by nickname."""
    if user.volunteer is not None:
        return mask_name(user.volunteer.real_name)
    return user.nickname


class RosterSchema(Schema):
    activity_id = fields.Integer()
    capacity = fields.Integer(allow_none=True)
    confirmed_count = fields.Integer()
    waitlist_count = fields.Integer()
    signups = fields.List(fields.Nested(RosterEntrySchema))
