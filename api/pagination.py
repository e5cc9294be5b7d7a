"""List pagination of DESIGN §5: ``{"data": [...], "pagination": {page, per_page, total}}``."""

from dataclasses import dataclass
from typing import Any

from marshmallow import fields, validate
from sqlalchemy import Select, func, select

from api.extensions import db
from api.validation import Schema

MAX_PER_PAGE = 100


class PaginationQuerySchema(Schema):
    """``page`` and ``per_page`` query arguments; list query schemas inherit from it."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class PaginationSchema(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


@dataclass
class Page:
    """One page of results and the total number of matches."""

    data: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pagination(self) -> dict:
        return {"page": self.page, "per_page": self.per_page, "total": self.total}


def paginate(statement: Select, page: int, per_page: int, *, scalars: bool = True) -> Page:
    """Run ``statement`` for one page, with the total counted in SQL."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    paged = statement.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(paged)
    rows = list(result.scalars()) if scalars else list(result)
    return Page(rows, page, per_page, total or 0)


_page_schemas: dict[type, type] = {}


def page_schema(item_schema: type[Schema]) -> type[Schema]:
    """The list envelope schema for ``item_schema`` (one class per item schema, cached)."""
    if item_schema not in _page_schemas:
        name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
        _page_schemas[item_schema] = type(
            name,
            (Schema,),
            {
                "data": fields.List(fields.Nested(item_schema)),
                "pagination": fields.Nested(PaginationSchema),
            },
        )
    return _page_schemas[item_schema]
