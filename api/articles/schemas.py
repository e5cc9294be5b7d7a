"""Article schemas: the read API (mini-program), the editor API and their query arguments."""

from flask_smorest.fields import Upload
from marshmallow import fields, pre_dump, validate

from api.pagination import PaginationQuerySchema
from api.timeutil import local_today
from api.validation import LocalDateTime, Schema
from publishing.frontmatter import CATEGORIES
from publishing.store import SLUG_MAX_LENGTH, ArticleStatus, status_of

_CATEGORY = validate.OneOf(list(CATEGORIES), error="栏目应为以下之一：{choices}")
_TAG = fields.String(validate=validate.Length(min=1, max=30))
_BODY_MAX = 100_000


class ArticleSchema(Schema):
    """An article in a list: metadata and where it is on the site."""

    slug = fields.String(metadata={"description": "日期-拼音标识，如 2026-12-03-gaoxueya"})
    title = fields.String()
    date = fields.Date()
    category = fields.String(metadata={"description": "policy | health | news"})
    section = fields.String(metadata={"description": "栏目中文名"})
    author = fields.String()
    tags = fields.List(fields.String())
    summary = fields.String()
    url = fields.String(metadata={"description": "the page on the site (absolute URL)"})

    @pre_dump
    def flatten(self, view, **kwargs):
        """Dump an ``ArticleView`` (article + URLs + HTML) as one flat object."""
        article = view.article
        return {
            **article.meta(),
            "slug": article.slug,
            "section": article.section,
            "url": view.url,
            "html": view.html,
            "body": article.body,
            "updated_at": article.updated_at,
            "images": view.images,
            "status": status_of(article, local_today()),
            "build_job_id": view.build_job.id if view.build_job else None,
        }


class ArticleDetailSchema(ArticleSchema):
    """One published article, with HTML fit for the mini-program's rich-text component."""

    html = fields.String(metadata={"description": "sanitized HTML (rich-text)"})


class EditorArticleListSchema(ArticleSchema):
    """An article in the editors' list: its status, without the body (GET it for that)."""

    draft = fields.Boolean()
    status = fields.String(metadata={"description": "draft | scheduled | published"})
    updated_at = LocalDateTime(allow_none=True)


class EditorArticleSchema(ArticleDetailSchema):
    """An article as its editors see it: Markdown body, draft flag, images."""

    body = fields.String(metadata={"description": "Markdown"})
    draft = fields.Boolean()
    status = fields.String(
        metadata={
            "description": "draft | scheduled (dated in the future: off the site until its day)"
            " | published"
        }
    )
    images = fields.List(fields.String())
    updated_at = LocalDateTime(allow_none=True)
    build_job_id = fields.Integer(
        allow_none=True,
        metadata={"description": "修改已发布文章后排队的网站构建任务（GET /jobs/{id} 查看进度）"},
    )


class ArticleQuerySchema(PaginationQuerySchema):
    category = fields.String(load_default=None, validate=_CATEGORY)
    tag = fields.String(load_default=None, validate=validate.Length(min=1, max=30))


class EditorArticleQuerySchema(ArticleQuerySchema):
    draft = fields.Boolean(
        load_default=None, metadata={"description": "only drafts / only published"}
    )
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(tuple(ArticleStatus)),
        metadata={"description": " | ".join(ArticleStatus)},
    )


class ArticleCreateSchema(Schema):
    """A new draft. Without ``slug`` one is made from the date and the title's pinyin."""

    slug = fields.String(
        load_default=None,
        validate=validate.Length(max=SLUG_MAX_LENGTH),
        metadata={"description": "YYYY-MM-DD-<a-z0-9->; the date part must equal date"},
    )
    title = fields.String(required=True, validate=validate.Length(min=1, max=120))
    date = fields.Date(required=True)
    category = fields.String(required=True, validate=_CATEGORY)
    author = fields.String(required=True, validate=validate.Length(min=1, max=80))
    tags = fields.List(_TAG, load_default=list, validate=validate.Length(max=20))
    summary = fields.String(load_default="", validate=validate.Length(max=300))
    body = fields.String(load_default="", validate=validate.Length(max=_BODY_MAX))


class ArticleUpdateSchema(Schema):
    """Changes to an article; the date is part of the slug and cannot change."""

    title = fields.String(validate=validate.Length(min=1, max=120))
    category = fields.String(validate=_CATEGORY)
    author = fields.String(validate=validate.Length(min=1, max=80))
    tags = fields.List(_TAG, validate=validate.Length(max=20))
    summary = fields.String(validate=validate.Length(max=300))
    body = fields.String(validate=validate.Length(max=_BODY_MAX))


class PreviewSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(max=_BODY_MAX))
    slug = fields.String(
        load_default=None,
        validate=validate.Length(max=SLUG_MAX_LENGTH),
        metadata={"description": "resolve image paths as on this article's page"},
    )


class PreviewResultSchema(Schema):
    html = fields.String()


class ImageUploadSchema(Schema):
    file = Upload(required=True, metadata={"description": "PNG, JPEG, GIF or WebP"})


class ImageSchema(Schema):
    name = fields.String()
    path = fields.String(metadata={"description": "path to write in the Markdown body"})
    markdown = fields.String(metadata={"description": "ready to paste: ![](path)"})
    url = fields.String(metadata={"description": "absolute URL once published"})
