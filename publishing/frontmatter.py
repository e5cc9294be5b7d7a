"""Read and write an article file: YAML front matter between ``---`` lines, then Markdown.

The layout follows the corpus::

    ---
    title: "高血压：冬季控压的六个要点"
    date: 2026-12-03
    category: health
    ...
    ---

    ## 冬天为什么血压容易升高

``split`` and ``load`` read it (``load`` also validates with ``ArticleMetaSchema``), ``dump`` writes
it back in the same style. The body is kept byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .exceptions import InvalidFrontMatter

#: The three sections of the site, in menu order: category → section title.
CATEGORIES: dict[str, str] = {
    "policy": "理论政策宣讲",
    "health": "健康科普",
    "news": "文明实践动态",
}

#: Front-matter keys in the order ``dump`` writes them, with their Chinese labels.
FIELD_LABELS = {
    "title": "标题",
    "date": "日期",
    "category": "栏目",
    "author": "作者",
    "tags": "标签",
    "summary": "摘要",
    "draft": "草稿",
}
FIELDS = tuple(FIELD_LABELS)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)(?:\r?\n)?", re.DOTALL)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_REQUIRED = "缺少此字段"
_NULL = "不能为空"


def _messages(**extra: str) -> dict[str, str]:
    return {"required": _REQUIRED, "null": _NULL, **extra}


class ArticleMetaSchema(Schema):
    """The front matter of an article, with Chinese messages; unknown keys are rejected."""

    error_messages = {"unknown": "不支持的字段", "type": "头信息必须是键值对"}

    class Meta:
        unknown = RAISE

    title = fields.String(
        required=True,
        validate=validate.Length(min=1, max=120, error="标题长度应为 {min}–{max} 个字符"),
        error_messages=_messages(invalid="标题必须是文本"),
    )
    date = fields.Date(
        required=True,
        error_messages=_messages(invalid="日期格式应为 YYYY-MM-DD"),
    )
    category = fields.String(
        required=True,
        validate=validate.OneOf(list(CATEGORIES), error="栏目必须是 {choices} 之一"),
        error_messages=_messages(invalid="栏目必须是文本"),
    )
    author = fields.String(
        required=True,
        validate=validate.Length(min=1, max=80, error="作者长度应为 {min}–{max} 个字符"),
        error_messages=_messages(invalid="作者必须是文本"),
    )
    tags = fields.List(
        fields.String(
            validate=validate.Length(min=1, max=30, error="标签长度应为 {min}–{max} 个字符"),
            error_messages=_messages(invalid="标签必须是文本"),
        ),
        load_default=list,
        validate=validate.Length(max=20, error="标签最多 {max} 个"),
        error_messages=_messages(invalid="标签必须是列表"),
    )
    summary = fields.String(
        load_default="",
        validate=validate.Length(max=300, error="摘要最多 {max} 个字符"),
        error_messages=_messages(invalid="摘要必须是文本"),
    )
    draft = fields.Boolean(
        load_default=False,
        error_messages=_messages(invalid="草稿标记必须是 true 或 false"),
    )


_schema = ArticleMetaSchema()


def split(text: str) -> tuple[dict[str, Any], str]:
    """Split ``text`` into its raw front-matter mapping and its Markdown body.

    Raises ``InvalidFrontMatter`` when the front matter is missing or is not a YAML mapping.
    """
    match = _FRONT_MATTER.match(text.removeprefix("\ufeff"))
    if match is None:
        raise InvalidFrontMatter("文章缺少以 --- 包围的头信息")
    try:
        data = yaml.load(match.group(1) or "", Loader=_Loader)  # noqa: S506 - safe loader
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: e.g. a date like 2026-13-01
        raise InvalidFrontMatter(f"头信息不是合法的 YAML：{exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidFrontMatter("头信息必须是键值对")
    return data, text.removeprefix("\ufeff")[match.end() :]


def validate_meta(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a front-matter mapping and return it loaded (``date`` as ``datetime.date``).

    Raises ``InvalidFrontMatter`` with the field messages in ``errors``.
    """
    try:
        return _schema.load(_plain(data))
    except ValidationError as exc:
        errors = exc.normalized_messages()
        raise InvalidFrontMatter(summarize_errors(errors), errors=errors) from exc


def load(text: str) -> tuple[dict[str, Any], str]:
    """Parse and validate an article file; return ``(meta, body)``.

    Raises ``InvalidFrontMatter``.
    """
    data, body = split(text)
    return validate_meta(data), body


def dump(meta: Mapping[str, Any], body: str) -> str:
    """Serialize ``meta`` and ``body`` to the text of an article file (corpus style).

    Free text is written double-quoted (a JSON string is a valid YAML one), the date and the
    category unquoted, tags as a block list, ``draft`` only when true.
    """
    lines = ["---"]
    for key in FIELDS:
        if key not in meta:
            continue
        value = meta[key]
        if key == "date":
            lines.append(f"date: {_as_date(value).isoformat()}")
        elif key == "tags":
            if value:
                lines.append("tags:")
                lines.extend(f"  - {_quote(tag)}" for tag in value)
        elif key == "category":
            lines.append(f"category: {value}")  # one of CATEGORIES: plain ASCII, as in the corpus
        elif key == "draft":
            if value:
                lines.append("draft: true")
        elif key == "summary" and not value:
            continue
        else:
            lines.append(f"{key}: {_quote(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n\n" + body.lstrip("\n")


def _quote(value: Any) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _plain(data: Mapping[str, Any]) -> dict[str, Any]:
    """Turn YAML dates back into strings so the schema sees one input type.

    A YAML timestamp with a time becomes ``2026-12-03T10:00:00``, which ``fields.Date`` refuses:
    an article has a date, not a moment.
    """
    plain = dict(data)
    value = plain.get("date")
    if isinstance(value, dt.date):
        plain["date"] = value.isoformat()
    return plain


def summarize_errors(errors: Any) -> str:
    """Flatten marshmallow's nested messages into one Chinese sentence for logs and builds."""
    if isinstance(errors, dict):
        parts = []
        for field, messages in errors.items():
            text = summarize_errors(messages)
            label = (
                FIELD_LABELS.get(field, field) if isinstance(field, str) else f"第 {field + 1} 项"
            )
            parts.append(text if field == "_schema" else f"{label}：{text}")
        return "；".join(parts)
    if isinstance(errors, list | tuple):
        return "，".join(summarize_errors(message) for message in errors)
    return str(errors)
