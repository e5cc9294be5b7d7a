"""The article files under ``CONTENT_DIR``: list, read, write atomically, store images.

Layout (the file is the source of truth)::

    content/<category>/<slug>.md          the article, e.g. content/health/2026-12-03-gaoxueya.md
    content/<category>/<slug>/<image>     its images, published beside the page at
                                          /<category>/<slug>/<image>

A slug is ``YYYY-MM-DD-<a-z0-9 words joined by ->``; it is unique across the three sections.
Every name that reaches the file system goes through ``validate_slug`` or
``validate_image_name`` first, so ``..``, ``/`` and friends never do.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from . import frontmatter
from .exceptions import (
    ArticleExists,
    ArticleNotFound,
    InvalidFrontMatter,
    InvalidImage,
    InvalidSlug,
)

log = logging.getLogger(__name__)

SLUG_MAX_LENGTH = 80
_SLUG = re.compile(r"\A(?P<date>\d{4}-\d{2}-\d{2})-(?P<name>[a-z0-9]+(?:-[a-z0-9]+)*)\Z")

#: Image types accepted, by the extension a file name may carry.
IMAGE_EXTENSIONS = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "gif": "gif", "webp": "webp"}
IMAGE_MAX_BYTES = 5 * 1024 * 1024
_IMAGE_NAME = re.compile(r"\A[a-z0-9](?:[a-z0-9_-]{0,62})\.(?P<ext>png|jpe?g|gif|webp)\Z")


def validate_slug(slug: Any) -> str:
    """Return ``slug`` if it is ``YYYY-MM-DD-name`` with a real date; raise ``InvalidSlug``."""
    if not isinstance(slug, str) or len(slug) > SLUG_MAX_LENGTH:
        raise InvalidSlug(f"文章标识最长 {SLUG_MAX_LENGTH} 个字符")
    match = _SLUG.match(slug)
    if match is None:
        raise InvalidSlug(
            "文章标识应为“日期-拼音”形式，如 2026-12-03-gaoxueya，只能用小写字母、数字和 -"
        )
    try:
        dt.date.fromisoformat(match.group("date"))
    except ValueError as exc:
        raise InvalidSlug("文章标识中的日期不存在") from exc
    return slug


def make_slug(date: dt.date, name: str) -> str:
    """Build and validate the slug of an article published on ``date``, e.g. ``gaoxueya``."""
    return validate_slug(f"{date.isoformat()}-{name}")


def slug_date(slug: str) -> dt.date:
    """The date at the start of a valid slug."""
    return dt.date.fromisoformat(validate_slug(slug)[:10])


def detect_image_type(data: bytes) -> str | None:
    """Name the image type of ``data`` from its magic bytes: png, jpeg, gif, webp or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def validate_image_name(name: Any) -> str:
    """Return the lower-cased image file name, or raise ``InvalidImage``.

    Allowed: ``[a-z0-9][a-z0-9_-]*`` plus ``.png``, ``.jpg``, ``.jpeg``, ``.gif`` or ``.webp``.
    """
    if not isinstance(name, str):
        raise InvalidImage("图片文件名不合法")
    lowered = name.lower()
    if _IMAGE_NAME.match(lowered) is None:
        raise InvalidImage(
            "图片文件名只能包含小写字母、数字、- 和 _，扩展名为 png、jpg、jpeg、gif 或 webp"
        )
    return lowered


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``.

    Readers (and MkDocs builds) see the old or the new file, never half of one. The temporary
    name starts with a dot, which MkDocs ignores.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@dataclass(frozen=True)
class Article:
    """One article: its front matter, its Markdown body and where it lives."""

    slug: str
    title: str
    date: dt.date
    category: str
    author: str
    body: str = ""
    tags: tuple[str, ...] = ()
    summary: str = ""
    draft: bool = False
    updated_at: dt.datetime | None = field(default=None, compare=False)

    @property
    def url_path(self) -> str:
        """The page's path on the site, e.g. ``health/2026-12-03-gaoxueya/`` (no leading /)."""
        return f"{self.category}/{self.slug}/"

    @property
    def section(self) -> str:
        """The Chinese name of the article's section."""
        return frontmatter.CATEGORIES[self.category]

    def meta(self) -> dict[str, Any]:
        """The front-matter mapping of this article."""
        return {
            "title": self.title,
            "date": self.date,
            "category": self.category,
            "author": self.author,
            "tags": list(self.tags),
            "summary": self.summary,
            "draft": self.draft,
        }

    def to_text(self) -> str:
        """The file content of this article."""
        return frontmatter.dump(self.meta(), self.body)

    @classmethod
    def from_text(cls, slug: str, text: str, **extra: Any) -> Article:
        """Parse and validate a file's text; raise ``InvalidFrontMatter``."""
        meta, body = frontmatter.load(text)
        return cls(
            slug=slug,
            title=meta["title"],
            date=meta["date"],
            category=meta["category"],
            author=meta["author"],
            body=body,
            tags=tuple(meta["tags"]),
            summary=meta["summary"],
            draft=meta["draft"],
            **extra,
        )


#: The last article date the site build publishes (``YYYY-MM-DD``), set by the platform for
#: each build; unset (a plain ``mkdocs build``), every article that is not a draft is built.
PUBLISH_UNTIL_ENV = "ARTICLES_PUBLISH_UNTIL"


class ArticleStatus(StrEnum):
    """Where an article stands, read from its file and the day (:func:`status_of`); the members
    equal the strings the API answers."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"


def status_of(article: Article, today: dt.date) -> ArticleStatus:
    """``draft``; ``scheduled`` (not a draft, dated after ``today``: it stays off the site
    and the API until its day); or ``published``."""
    if article.draft:
        return ArticleStatus.DRAFT
    return ArticleStatus.SCHEDULED if article.date > today else ArticleStatus.PUBLISHED


def sort_key(article: Article) -> tuple[dt.date, str]:
    """The order of article lists, used reversed (newest first); same-day ones by slug."""
    return (article.date, article.slug)


def newest_first(articles: list[Article]) -> list[Article]:
    """Sort by date, newest first; same-day articles by slug so the order is stable."""
    return sorted(articles, key=sort_key, reverse=True)


class ArticleStore:
    """The articles of one content directory.

    ``list`` keeps a cache of parsed files keyed by (mtime, size), so listing 2,000 articles costs
    a directory scan, not 2,000 YAML parses. Writes go through ``write_atomic``.
    """

    def __init__(
        self, content_dir: str | os.PathLike[str], *, max_image_bytes: int = IMAGE_MAX_BYTES
    ):
        self.content_dir = Path(content_dir)
        self.max_image_bytes = max_image_bytes
        self._cache: dict[Path, tuple[int, int, Article | None]] = {}
        self._lock = threading.Lock()

    # -- reading ---------------------------------------------------------------------------

    def path_for(self, category: str, slug: str) -> Path:
        """The file of article ``slug`` in section ``category``."""
        if category not in frontmatter.CATEGORIES:
            raise InvalidFrontMatter(errors={"category": ["栏目不存在"]})
        return self.content_dir / category / f"{validate_slug(slug)}.md"

    def find(self, slug: str) -> Path | None:
        """The file of ``slug`` in whichever section holds it, or None."""
        validate_slug(slug)
        for category in frontmatter.CATEGORIES:
            path = self.content_dir / category / f"{slug}.md"
            if path.is_file():
                return path
        return None

    def get(self, slug: str) -> Article:
        """Read article ``slug``.

        Raises ``ArticleNotFound``, ``InvalidSlug``, ``InvalidFrontMatter``.
        """
        path = self.find(slug)
        if path is None:
            raise ArticleNotFound()
        article = self._read(path)
        if article is None:
            # _read logged why; say it again to the caller
            return self._parse(path, path.read_text(encoding="utf-8"))
        return article

    def list(
        self,
        category: str | None = None,
        tag: str | None = None,
        *,
        include_drafts: bool = False,
    ) -> list[Article]:
        """Articles newest first, optionally of one section or tag; drafts only if asked.

        Files that fail validation are skipped (and logged): the site build reports them.
        """
        categories = [category] if category else list(frontmatter.CATEGORIES)
        found = []
        for path in self._article_files(categories):
            article = self._read(path)
            if article is None or (article.draft and not include_drafts):
                continue
            if tag is not None and tag not in article.tags:
                continue
            found.append(article)
        return newest_first(found)

    def images(self, slug: str) -> list[str]:
        """File names of the images stored beside article ``slug``."""
        path = self.find(slug)
        if path is None:
            raise ArticleNotFound()
        folder = path.with_suffix("")
        if not folder.is_dir():
            return []
        return sorted(entry.name for entry in folder.iterdir() if _IMAGE_NAME.match(entry.name))

    def image_path(self, slug: str, name: str) -> Path | None:
        """The file of image ``name`` beside article ``slug``, or None when there is none.

        Raises ``InvalidImage`` (a name no upload could have) and ``ArticleNotFound``.
        """
        name = validate_image_name(name)
        path = self.find(slug)
        if path is None:
            raise ArticleNotFound()
        image = path.with_suffix("") / name
        return image if image.is_file() else None

    # -- writing ---------------------------------------------------------------------------

    def create(self, article: Article) -> Article:
        """Write a new article; raise ``ArticleExists`` if the slug is taken in any section."""
        if self.find(article.slug) is not None:
            raise ArticleExists()
        return self._write(article)

    def save(self, article: Article) -> Article:
        """Write ``article`` over its file, moving it (with its images) if its section changed.

        Raises ``ArticleNotFound`` when there is nothing to overwrite.
        """
        current = self.find(article.slug)
        if current is None:
            raise ArticleNotFound()
        target = self.path_for(article.category, article.slug)
        saved = self._write(article)
        if current != target:
            old_images = current.with_suffix("")
            if old_images.is_dir():
                shutil.rmtree(target.with_suffix(""), ignore_errors=True)
                os.replace(old_images, target.with_suffix(""))
            current.unlink()
        return saved

    def delete(self, slug: str) -> None:
        """Remove article ``slug`` and its images; raise ``ArticleNotFound``."""
        path = self.find(slug)
        if path is None:
            raise ArticleNotFound()
        path.unlink()
        shutil.rmtree(path.with_suffix(""), ignore_errors=True)

    def save_image(self, slug: str, filename: str, data: bytes) -> str:
        """Store an image beside article ``slug``; return its Markdown path (``<slug>/<name>``).

        The type comes from the magic bytes and must agree with the extension. Raises
        ``InvalidImage`` (bad name, type or size) and ``ArticleNotFound``.
        """
        name = validate_image_name(filename)
        if len(data) > self.max_image_bytes:
            limit = self.max_image_bytes // (1024 * 1024) or 1
            raise InvalidImage(f"图片不能超过 {limit} MB")
        detected = detect_image_type(data)
        if detected is None:
            raise InvalidImage("只支持 PNG、JPEG、GIF 和 WebP 图片")
        if IMAGE_EXTENSIONS[name.rsplit(".", 1)[1]] != detected:
            raise InvalidImage("图片扩展名与文件内容不符")
        path = self.find(slug)
        if path is None:
            raise ArticleNotFound()
        write_atomic(path.with_suffix("") / name, data)
        return f"{slug}/{name}"

    # -- internals -------------------------------------------------------------------------

    def _write(self, article: Article) -> Article:
        validate_slug(article.slug)
        path = self.path_for(article.category, article.slug)
        # Validate what we are about to write exactly as the site build will read it.
        text = article.to_text()
        stored = self._parse(path, text)
        write_atomic(path, text.encode("utf-8"))
        return stored

    def _article_files(self, categories: list[str]) -> Iterator[Path]:
        for category in categories:
            folder = self.content_dir / category
            if not folder.is_dir():
                continue
            with os.scandir(folder) as entries:
                for entry in entries:
                    if (
                        entry.name.endswith(".md")
                        and entry.name != "index.md"
                        and not entry.name.startswith(".")
                        and entry.is_file()
                    ):
                        yield Path(entry.path)

    def _read(self, path: Path) -> Article | None:
        """Parse ``path`` through the cache; None (logged) if the file is invalid or vanished."""
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        with self._lock:
            cached = self._cache.get(path)
        if cached and cached[0] == stat.st_mtime_ns and cached[1] == stat.st_size:
            return cached[2]
        try:
            article = self._parse(path, path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (InvalidFrontMatter, InvalidSlug, UnicodeDecodeError) as exc:
            log.warning("skipping invalid article %s: %s", path, exc)
            article = None
        with self._lock:
            self._cache[path] = (stat.st_mtime_ns, stat.st_size, article)
        return article

    def _parse(self, path: Path, text: str) -> Article:
        slug = validate_slug(path.stem)
        updated = None
        if path.exists():
            updated = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        article = Article.from_text(slug, text, updated_at=updated)
        check_placement(article, path.parent.name)
        return article


_stores: dict[str, ArticleStore] = {}


def store_for(content_dir: str | os.PathLike[str]) -> ArticleStore:
    """The store of ``content_dir``, shared by the threads of this process (it caches)."""
    key = str(content_dir)
    if key not in _stores:
        _stores[key] = ArticleStore(key)
    return _stores[key]


def check_placement(article: Article, folder: str) -> None:
    """Raise ``InvalidFrontMatter`` unless the file sits in its category's folder and its date
    equals the slug's date prefix."""
    errors = {}
    if article.category != folder:
        errors["category"] = [f"栏目 {article.category} 与所在目录 {folder} 不一致"]
    if article.date != slug_date(article.slug):
        errors["date"] = [f"日期 {article.date.isoformat()} 与文章标识的日期不一致"]
    if errors:
        raise InvalidFrontMatter(frontmatter.summarize_errors(errors), errors=errors)


__all__ = [
    "Article",
    "ArticleStore",
    "check_placement",
    "detect_image_type",
    "make_slug",
    "newest_first",
    "slug_date",
    "sort_key",
    "store_for",
    "validate_image_name",
    "validate_slug",
    "write_atomic",
]
