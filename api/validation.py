"""Chinese validation messages for marshmallow, and the schema base class of the API.

marshmallow's messages are English class attributes; residents read Chinese. We replace the
defaults once, here, so every schema (ours and flask-smorest's pagination) speaks Chinese
without repeating ``error_messages=`` on each field.
"""

from datetime import date

import marshmallow as ma
from marshmallow import fields, validate

from api.timeutil import LOCAL_TZ, local_isoformat

_FIELD_MESSAGES: dict[type, dict[str, str]] = {
    fields.Field: {
        "required": "此项为必填项",
        "null": "此项不能为空",
        "validator_failed": "取值无效",
    },
    fields.String: {"invalid": "应为文本", "invalid_utf8": "不是有效的 UTF-8 文本"},
    fields.Integer: {"invalid": "应为整数"},
    fields.Number: {"invalid": "应为数字", "too_large": "数字过大"},
    fields.Float: {"special": "不允许 NaN 或无穷大"},
    fields.Decimal: {"special": "不允许 NaN 或无穷大"},
    fields.Boolean: {"invalid": "应为布尔值（true 或 false）"},
    fields.Date: {"invalid": "应为日期（YYYY-MM-DD）", "format": "无法格式化为日期"},
    fields.DateTime: {
        "invalid": "应为日期时间（ISO 8601）",
        "invalid_awareness": "日期时间格式有误（需带时区）",
        "format": "无法格式化为日期时间",
    },
    fields.List: {"invalid": "应为列表"},
    fields.Mapping: {"invalid": "应为对象"},
    fields.Nested: {"type": "类型无效"},
    fields.Email: {"invalid": "邮箱地址无效"},
    fields.URL: {"invalid": "网址无效"},
    fields.UUID: {"invalid_uuid": "UUID 无效"},
    fields.Enum: {"unknown": "取值应为以下之一：{choices}"},
}


def install_chinese_messages() -> None:
    """Replace marshmallow's default English messages with Chinese ones (idempotent)."""
    for field_class, messages in _FIELD_MESSAGES.items():
        field_class.default_error_messages = {
            **field_class.__dict__.get("default_error_messages", {}),
            **messages,
        }
    ma.Schema._default_error_messages = {"type": "请求体应为 JSON 对象", "unknown": "未知字段"}
    validate.Length.message_min = "长度不能少于 {min}"
    validate.Length.message_max = "长度不能超过 {max}"
    validate.Length.message_all = "长度应在 {min} 到 {max} 之间"
    validate.Length.message_equal = "长度应为 {equal}"
    validate.Range.message_min = "应{min_op} {{min}}"
    validate.Range.message_max = "应{max_op} {{max}}"
    validate.Range.message_all = "应{min_op} {{min}}且{max_op} {{max}}"
    validate.Range.message_gte = "大于或等于"
    validate.Range.message_gt = "大于"
    validate.Range.message_lte = "小于或等于"
    validate.Range.message_lt = "小于"
    validate.OneOf.default_message = "取值应为以下之一：{choices}"
    validate.Regexp.default_message = "格式不正确"
    validate.Equal.default_message = "应等于 {other}"


install_chinese_messages()


# What the database and the calendar can hold: integers of the INTEGER columns (ids and counts
# are 32-bit on PostgreSQL; anything past 64 bits overflows SQLite), dates of this era, lists
# a request can reasonably carry.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
YEAR_MIN, YEAR_MAX = 1900, 2199
LIST_MAX_ITEMS = 1000


def _out_of_bounds(value) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
        return "数字过大"
    if isinstance(value, date) and not YEAR_MIN <= value.year <= YEAR_MAX:
        return f"日期应在 {YEAR_MIN} 年至 {YEAR_MAX} 年之间"
    if isinstance(value, list):
        if len(value) > LIST_MAX_ITEMS:
            return f"最多 {LIST_MAX_ITEMS} 项"
        return next(filter(None, map(_out_of_bounds, value)), None)
    return None


class Schema(ma.Schema):
    """Base of every API schema: unknown fields are rejected (marshmallow 4's default, kept
    explicit here), output is ordered as declared, and no loaded integer, date or list
    exceeds what the database holds (a 422, never a 500)."""

    class Meta:
        unknown = ma.RAISE
        ordered = True

    @ma.validates_schema
    def _within_bounds(self, data, **_):
        errors = {
            (self.fields[name].data_key if name in self.fields else None) or name: [problem]
            for name, value in data.items()
            if (problem := _out_of_bounds(value))
        }
        if errors:
            raise ma.ValidationError(errors)


class LocalDateTime(fields.DateTime):
    """ISO 8601 datetime written in Asia/Shanghai (``+08:00``); input without an offset
    is read as local time, input with one is converted."""

    def _serialize(self, value, attr, obj, **kwargs):
        return local_isoformat(value)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=LOCAL_TZ)
        return moment


def latitude_field() -> fields.Float:
    """An optional latitude that must come with a longitude (the schema checks the pair)."""
    return fields.Float(
        load_default=None,
        validate=validate.Range(min=-90, max=90),
        metadata={"description": "与 lng 同时提供或同时省略"},
    )


def longitude_field() -> fields.Float:
    """An optional longitude that must come with a latitude (the schema checks the pair)."""
    return fields.Float(
        load_default=None,
        validate=validate.Range(min=-180, max=180),
        metadata={"description": "与 lat 同时提供或同时省略"},
    )
