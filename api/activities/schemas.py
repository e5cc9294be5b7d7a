"""Activity schemas: calendar items, detail, organizer input."""

from datetime import timedelta

from flask_smorest.fields import Upload
from marshmallow import ValidationError, fields, post_load, validate

from api.activities.series import MAX_OCCURRENCES
from api.activities.services import signup_open
from api.activities.vocabulary import AUDIENCES, DEFAULT_GEOFENCE_METRES, THEMES, ActivityStatus
from api.pagination import PaginationQuerySchema
from api.signups.services import (
    MINIMUM_AGE_WITHOUT_COMPANION,
    MINIMUM_AGE_WITHOUT_GUARDIAN,
    waitlist_position,
)
from api.timeutil import to_local, utcnow
from api.units.categories import TEAM_CATEGORIES
from api.validation import LocalDateTime, Schema, latitude_field, longitude_field

MAX_CALENDAR_DAYS = 366


class ViewerSignupSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    waitlist_position = fields.Function(waitlist_position)


class ActivitySchema(Schema):
    """A calendar item."""

    id = fields.Integer()
    external_id = fields.String(allow_none=True)
    series_id = fields.Integer(allow_none=True)
    title = fields.String()
    theme = fields.String()
    theme_name = fields.Function(lambda activity: THEMES.get(activity.theme, ""))
    category = fields.String()
    unit_id = fields.Integer()
    unit_name = fields.Function(lambda activity: activity.unit.name)
    team_id = fields.Integer(allow_none=True)
    team_name = fields.Function(lambda activity: activity.team.name if activity.team else None)
    address = fields.String()
    lat = fields.Float(allow_none=True)
    lng = fields.Float(allow_none=True)
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    capacity = fields.Integer(allow_none=True)
    confirmed_count = fields.Integer()
    waitlist_count = fields.Integer()
    signup_open = fields.Function(lambda activity: signup_open(activity))
    audience = fields.String()
    status = fields.String()
    distance_km = fields.Float(allow_none=True)


class ActivityDetailSchema(ActivitySchema):
    description = fields.String()
    risk_notice = fields.String()
    signup_opens_at = LocalDateTime(allow_none=True)
    signup_closes_at = LocalDateTime(allow_none=True)
    cancel_deadline = LocalDateTime(allow_none=True)
    geofence_metres = fields.Integer(allow_none=True)
    cancel_reason = fields.String()
    min_age = fields.Integer(allow_none=True)
    guardian_required = fields.Boolean()
    my_signup = fields.Nested(ViewerSignupSchema, allow_none=True)


class ActivityQuerySchema(PaginationQuerySchema):
    start = fields.Date(
        load_default=None, metadata={"description": "本地日期，含当天；省略时为今天"}
    )
    end = fields.Date(
        load_default=None,
        metadata={
            "description": "本地日期，含当天；省略时为 start 后 30 天。不得早于 start，"
            f"与 start 相距不超过 {MAX_CALENDAR_DAYS} 天"
        },
    )
    unit_id = fields.Integer(load_default=None)
    theme = fields.String(load_default=None, validate=validate.OneOf(THEMES))
    category = fields.String(load_default=None, validate=validate.OneOf(TEAM_CATEGORIES))
    audience = fields.String(load_default=None, validate=validate.OneOf(AUDIENCES))
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    lat = latitude_field()
    lng = longitude_field()
    radius_km = fields.Float(load_default=5.0, validate=validate.Range(min=0.1, max=100))
    upcoming = fields.Boolean(load_default=False, metadata={"description": "只列出尚未结束的活动"})

    @post_load
    def _default_range(self, data, **_):
        """An empty range means the coming 30 days."""
        today = to_local(utcnow()).date()
        data["start"] = data["start"] or today
        data["end"] = data["end"] or data["start"] + timedelta(days=30)
        if data["end"] < data["start"]:
            raise ValidationError("结束日期不能早于开始日期", "end")
        if (data["end"] - data["start"]).days > MAX_CALENDAR_DAYS:
            raise ValidationError(f"查询范围不能超过 {MAX_CALENDAR_DAYS} 天", "end")
        if (data["lat"] is None) != (data["lng"] is None):
            raise ValidationError("lat 和 lng 需同时提供", "lat")
        return data


class ManagedQuerySchema(PaginationQuerySchema):
    """The organizer's list: every status, either end of the date range open."""

    start = fields.Date(load_default=None, metadata={"description": "本地日期，含当天"})
    end = fields.Date(
        load_default=None, metadata={"description": "本地日期，含当天；不得早于 start"}
    )
    unit_id = fields.Integer(load_default=None, metadata={"description": "该单位及其下级"})
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(tuple(ActivityStatus)),
        metadata={"description": " | ".join(ActivityStatus)},
    )
    q = fields.String(
        load_default=None,
        validate=validate.Length(max=100),
        metadata={"description": "标题或地点包含"},
    )

    @post_load
    def _ordered_range(self, data, **_):
        if data["start"] and data["end"] and data["end"] < data["start"]:
            raise ValidationError("结束日期不能早于开始日期", "end")
        return data


class MonthQuerySchema(Schema):
    month = fields.String(
        required=True, validate=validate.Regexp(r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])$")
    )
    unit_id = fields.Integer(load_default=None)


class DayCountSchema(Schema):
    date = fields.Date()
    count = fields.Integer()


class MonthCalendarSchema(Schema):
    month = fields.String()
    days = fields.List(fields.Nested(DayCountSchema))


_ENDS_AT = "须晚于 starts_at（修改时与活动现有的 starts_at 比较）"
_SIGNUP_CLOSES_AT = "须晚于 signup_opens_at（两者都有时）；省略时报名到活动开始为止"
_MIN_AGE = f"活动当天的最低年龄；未满 {MINIMUM_AGE_WITHOUT_GUARDIAN} 周岁者另须监护人同意"
_GUARDIAN_REQUIRED = (
    f"孩子须由监护人陪同：监护人为孩子报名时自己一同报名；"
    f"未满 {MINIMUM_AGE_WITHOUT_COMPANION} 周岁的孩子无论此项都须陪同"
)


class ActivityWriteSchema(Schema):
    """Fields an organizer sets; ``ActivityCreateSchema`` makes the essential ones required."""

    title = fields.String(validate=validate.Length(min=2, max=120))
    description = fields.String(validate=validate.Length(max=5000))
    theme = fields.String(validate=validate.OneOf(THEMES))
    category = fields.String(validate=validate.OneOf(TEAM_CATEGORIES))
    unit_id = fields.Integer()
    team_id = fields.Integer(allow_none=True)
    address = fields.String(validate=validate.Length(max=255))
    lat = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    lng = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    starts_at = LocalDateTime()
    ends_at = LocalDateTime(metadata={"description": _ENDS_AT})
    capacity = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=100_000))
    signup_opens_at = LocalDateTime(allow_none=True)
    signup_closes_at = LocalDateTime(allow_none=True, metadata={"description": _SIGNUP_CLOSES_AT})
    cancel_deadline = LocalDateTime(allow_none=True)
    audience = fields.String(validate=validate.OneOf(AUDIENCES))
    risk_notice = fields.String(validate=validate.Length(max=2000))
    geofence_metres = fields.Integer(allow_none=True, validate=validate.Range(min=50, max=20_000))
    min_age = fields.Integer(
        allow_none=True, validate=validate.Range(min=0, max=100), metadata={"description": _MIN_AGE}
    )
    guardian_required = fields.Boolean(metadata={"description": _GUARDIAN_REQUIRED})


class ActivityCreateSchema(ActivityWriteSchema):
    geofence_metres = fields.Integer(
        allow_none=True,
        load_default=DEFAULT_GEOFENCE_METRES,
        validate=validate.Range(min=50, max=20_000),
    )
    title = fields.String(required=True, validate=validate.Length(min=2, max=120))
    theme = fields.String(required=True, validate=validate.OneOf(THEMES))
    category = fields.String(required=True, validate=validate.OneOf(TEAM_CATEGORIES))
    unit_id = fields.Integer(required=True)
    starts_at = LocalDateTime(required=True)
    ends_at = LocalDateTime(required=True, metadata={"description": "须晚于 starts_at"})


class CancelActivitySchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=2, max=255))


class SeriesRuleSchema(Schema):
    weekdays = fields.List(
        fields.Integer(validate=validate.Range(min=0, max=6)),
        required=True,
        validate=validate.Length(min=1, max=7),
        metadata={"description": "0 = 周一 … 6 = 周日"},
    )
    start_time = fields.Time(required=True)
    end_time = fields.Time(required=True, metadata={"description": "须晚于 start_time（同一天内）"})
    first_date = fields.Date(required=True)
    last_date = fields.Date(
        required=True,
        metadata={
            "description": "不得早于 first_date；first_date 至 last_date 间落在 weekdays 的日子"
            f"至少 1 天、至多 {MAX_OCCURRENCES} 天"
        },
    )


class SeriesTemplateSchema(Schema):
    """What every occurrence copies (dates and times come from the rule)."""

    title = fields.String(required=True, validate=validate.Length(min=2, max=120))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    theme = fields.String(required=True, validate=validate.OneOf(THEMES))
    category = fields.String(required=True, validate=validate.OneOf(TEAM_CATEGORIES))
    unit_id = fields.Integer(required=True)
    team_id = fields.Integer(allow_none=True, load_default=None)
    address = fields.String(load_default="", validate=validate.Length(max=255))
    lat = fields.Float(allow_none=True, load_default=None, validate=validate.Range(min=-90, max=90))
    lng = fields.Float(
        allow_none=True, load_default=None, validate=validate.Range(min=-180, max=180)
    )
    capacity = fields.Integer(
        allow_none=True, load_default=None, validate=validate.Range(min=1, max=100_000)
    )
    audience = fields.String(load_default="public", validate=validate.OneOf(AUDIENCES))
    risk_notice = fields.String(load_default="", validate=validate.Length(max=2000))
    geofence_metres = fields.Integer(
        allow_none=True,
        load_default=DEFAULT_GEOFENCE_METRES,
        validate=validate.Range(min=50, max=20_000),
    )


class SeriesCreateSchema(Schema):
    rule = fields.Nested(SeriesRuleSchema, required=True)
    template = fields.Nested(SeriesTemplateSchema, required=True)
    publish = fields.Boolean(load_default=False)


class SeriesUpdateSchema(Schema):
    rule = fields.Nested(SeriesRuleSchema(partial=True), load_default=dict)
    template = fields.Nested(SeriesTemplateSchema(partial=True), load_default=dict)


class SeriesSchema(Schema):
    id = fields.Integer()
    weekdays = fields.List(fields.Integer())
    start_time = fields.Time()
    end_time = fields.Time()
    first_date = fields.Date()
    last_date = fields.Date()
    template = fields.Dict()
    occurrences = fields.List(fields.Nested(ActivitySchema))


class ActivityImportSchema(Schema):
    file = Upload(
        required=True,
        metadata={"description": "活动表（.xlsx 或 .csv，列同 corpus/activities.csv）"},
    )


class ImportResultSchema(Schema):
    created = fields.Integer(metadata={"description": "新建（草稿）"})
    updated = fields.Integer(metadata={"description": "更新的草稿"})
    unchanged = fields.Integer()
