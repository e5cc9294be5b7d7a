"""Search query and result schemas."""

from marshmallow import fields, validate

from api.activities.vocabulary import THEMES
from api.pagination import PaginationSchema
from api.timeutil import to_local
from api.validation import LocalDateTime, Schema

# Longer queries cost seconds of a worker and mean nothing to the analyser.
Q_MAX_LENGTH = 100


class SearchQuerySchema(Schema):
    q = fields.String(
        load_default="",
        validate=validate.Length(max=Q_MAX_LENGTH),
        metadata={"description": "简体、繁體、拼音或首字母"},
    )
    type = fields.String(load_default=None, validate=validate.OneOf(("activity", "article")))
    category = fields.String(load_default=None, validate=validate.Length(max=20))
    theme = fields.String(load_default=None, validate=validate.OneOf(THEMES))
    unit_id = fields.Integer(load_default=None)
    date_from = fields.Date(load_default=None, data_key="from")
    date_to = fields.Date(load_default=None, data_key="to")
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=500))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class HitSchema(Schema):
    type = fields.String(metadata={"description": "activity | article"})
    id = fields.Function(
        lambda hit: hit.db_id if hit.type == "activity" else hit.id.removeprefix("article:"),
        metadata={"description": "活动 id（整数）或文章 slug"},
    )
    doc_id = fields.String(attribute="id")
    external_id = fields.String(allow_none=True)
    title = fields.String()
    snippet = fields.String(metadata={"description": "HTML：已转义的文字和 <mark> 高亮"})
    url = fields.String()
    score = fields.Float()
    starts_at = fields.Function(
        lambda hit: (
            LocalDateTime()._serialize(hit.date, None, None) if hit.type == "activity" else None
        )
    )
    date = fields.Function(
        lambda hit: to_local(hit.date).date().isoformat() if hit.type == "article" else None
    )


class SearchResultsSchema(Schema):
    data = fields.List(fields.Nested(HitSchema), attribute="hits")
    pagination = fields.Function(
        lambda results: {
            "page": results.page,
            "per_page": results.per_page,
            "total": results.total,
        },
        metadata={"schema": PaginationSchema},
    )
    facets = fields.Dict()
    total_is_lower_bound = fields.Boolean(
        metadata={
            "description": "为 true 时匹配太多，只统计了每类（活动、文章）最新的 500 条："
            "pagination.total 与 facets 是下限（显示为“500+”）"
        }
    )


class SuggestQuerySchema(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=Q_MAX_LENGTH))
    limit = fields.Integer(load_default=8, validate=validate.Range(min=1, max=20))


class SuggestionSchema(Schema):
    title = fields.String(attribute="text")
    type = fields.String()
    url = fields.String()


class SuggestionListSchema(Schema):
    data = fields.List(fields.Nested(SuggestionSchema))
