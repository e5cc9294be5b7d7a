"""Statistics schemas."""

from marshmallow import fields

from api.help.states import HelpStatus
from api.validation import LocalDateTime, Schema


class StatsQuerySchema(Schema):
    unit_id = fields.Integer(load_default=None, metadata={"description": "单位（含下级）"})
    first = fields.Date(
        data_key="from", load_default=None, metadata={"description": "开始日期（本地，含当天）"}
    )
    last = fields.Date(
        data_key="to", load_default=None, metadata={"description": "结束日期（本地，含当天）"}
    )


class VolunteerCountsSchema(Schema):
    registered = fields.Integer(metadata={"description": "注册志愿者（当前）"})
    active_this_month = fields.Integer(
        metadata={"description": "本月活跃：本地本月有已通过或待审核服务记录的注册志愿者"}
    )


class ActivityCountsSchema(Schema):
    total = fields.Integer(metadata={"description": "日期范围内（未指定则全部）"})
    this_year = fields.Integer()
    this_month = fields.Integer()


class HelpCountsSchema(Schema):
    total = fields.Integer()
    by_status = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": " | ".join(HelpStatus)},
    )
    rated = fields.Integer()
    average_rating = fields.Float(allow_none=True)
    satisfied = fields.Integer(metadata={"description": "评价 4 星及以上（含逾期默认满意）"})
    dispatched = fields.Integer()
    average_dispatch_minutes = fields.Float(
        allow_none=True, metadata={"description": "提交到首次派单"}
    )


class _Breakdown(Schema):
    activities = fields.Integer()
    service_minutes = fields.Integer()
    service_hours = fields.Float()
    help_requests = fields.Integer()


class TownshipStatsSchema(_Breakdown):
    unit_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    level = fields.String(metadata={"description": "institute；center 为县级单位自身"})
    volunteers = fields.Integer()
    teams = fields.Integer()


class CategoryStatsSchema(_Breakdown):
    category = fields.String()
    teams = fields.Integer()


class MonthStatsSchema(_Breakdown):
    month = fields.String(metadata={"description": "YYYY-MM（本地）"})


class StatsSchema(Schema):
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.String(allow_none=True)
    first = fields.Date(data_key="from", attribute="from", allow_none=True)
    last = fields.Date(data_key="to", attribute="to", allow_none=True)
    generated_at = LocalDateTime()
    volunteers = fields.Nested(VolunteerCountsSchema)
    teams = fields.Integer()
    activities = fields.Nested(ActivityCountsSchema)
    service_minutes = fields.Integer()
    service_hours = fields.Float()
    help_requests = fields.Nested(HelpCountsSchema)
    by_township = fields.List(fields.Nested(TownshipStatsSchema))
    by_category = fields.List(fields.Nested(CategoryStatsSchema))
    by_month = fields.List(fields.Nested(MonthStatsSchema))
