"""Domain errors of the articles package.

They carry a stable snake_case ``reason`` and a Chinese ``message`` so the API layer can map them
onto the error envelope once, and the CLI and MkDocs hook can print them as they are. They do not
depend on Flask: the MkDocs build process imports this module too.
"""

from __future__ import annotations


class ArticleError(Exception):
    """Base class of every article error."""

    reason = "article_error"
    message = "文章操作失败"

    def __init__(self, message: str | None = None, errors: dict | None = None) -> None:
        self.message = message or self.message
        self.errors = errors or {}
        super().__init__(self.message)


class InvalidFrontMatter(ArticleError):
    """The front matter is missing, is not YAML, or fails the schema."""

    reason = "invalid_front_matter"
    message = "文章头信息不正确"


class InvalidSlug(ArticleError):
    """A slug does not follow ``YYYY-MM-DD-<a-z0-9->``."""

    reason = "invalid_slug"
    message = "文章标识不合法"


class InvalidImage(ArticleError):
    """An image has a bad name, an unsupported type or is too large."""

    reason = "invalid_image"
    message = "图片不合法"


class ArticleNotFound(ArticleError):
    """No article file has this slug (nor a published one, where the reader may see only those).

    The one "article not found" of the project: the API answers it as it is, a 404 whose
    ``error`` is its ``reason`` (``api/articles/views.py``).
    """

    status_code = 404
    reason = error = "article_not_found"
    message = "文章不存在"


class ArticleExists(ArticleError):
    """An article with this slug already exists."""

    reason = "article_exists"
    message = "同名文章已存在"
