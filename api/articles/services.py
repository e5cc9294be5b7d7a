"""Articles: the rules of reading, editing and publishing.

The Markdown files under ``CONTENT_DIR`` are the source of truth (``store.ArticleStore``); there
is no article table. Who may do what:

- anyone reads *published* articles (``draft: false``), newest first;
- editors (and admins) create drafts, change articles, upload images, preview, publish and
  unpublish. Publishing sets ``draft: false`` in the file (atomically) and enqueues a
  ``site_build`` job; the job rebuilds the site into a fresh directory, swaps it in when the
  build succeeds, and then updates the article's search entry. Unpublishing is the same with
  ``draft: true``. A failed build fails its job with the reason; the old site keeps serving,
  and the next successful build carries every change made meanwhile (builds are serialized and
  read the files when they start, so no publish is lost).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

from flask import current_app

from api.accounts import roles
from api.accounts.models import User
from api.audit.services import record as audit
from api.auth.permissions import ensure_role
from api.errors import Conflict, NotFound, ValidationFailed
from api.jobs.models import Job
from api.jobs.services import enqueue, handler
from api.pagination import Page
from api.searching.documents import article_doc_id, article_document
from api.searching.index import search_index
from api.timeutil import local_today, utcnow
from api.transactions import atomic
from publishing import sitebuild
from publishing.exceptions import (
    ArticleError,
    ArticleExists,
    ArticleNotFound,
    InvalidImage,
    InvalidSlug,
)
from publishing.render import render_markdown
from publishing.store import (
    Article,
    ArticleStatus,
    ArticleStore,
    make_slug,
    status_of,
    store_for,
    validate_slug,
)

log = logging.getLogger(__name__)

SITE_BUILD = "site_build"
_MAX_SLUG_WORD = 32


class ArticleSlugTaken(Conflict):
    error, message = "article_exists", "同名文章已存在，请换一个文章标识"


class InvalidArticle(ValidationFailed):
    error, message = "invalid_article", "文章内容不符合要求"


class InvalidArticleSlug(ValidationFailed):
    error, message = "invalid_slug", "文章标识不合法"


class InvalidArticleImage(ValidationFailed):
    error, message = "invalid_image", "图片不合法"


class ArticleImageNotFound(NotFound):
    error, message = "image_not_found", "图片不存在"


@contextlib.contextmanager
def _api_errors() -> Iterator[None]:
    """Turn the store's domain errors (Flask-free) into API errors, in one place
    (``ArticleNotFound`` goes through as it is: its HTTP meaning is its own)."""
    try:
        yield
    except ArticleNotFound:
        raise
    except ArticleExists as exc:
        raise ArticleSlugTaken() from exc
    except InvalidSlug as exc:
        raise InvalidArticleSlug(exc.message, errors={"slug": [exc.message]}) from exc
    except InvalidImage as exc:
        raise InvalidArticleImage(exc.message, errors={"file": [exc.message]}) from exc
    except ArticleError as exc:
        raise InvalidArticle(exc.message, errors=exc.errors) from exc


@dataclass(frozen=True)
class ArticleView:
    """An article with what the API adds: its page URL, rendered HTML, image names."""

    article: Article
    url: str
    html: str | None = None
    images: list[str] = field(default_factory=list)
    build_job: Job | None = None  # the site build an edit of a published article queued


def page_url(base_url: str, article: Article) -> str:
    """The absolute URL of the article's page on the site."""
    return urljoin(base_url, article.url_path)


def _view(article: Article, base_url: str, *, html: bool = False, images=()) -> ArticleView:
    url = page_url(base_url, article)
    rendered = render_markdown(article.body, base_url=url) if html else None
    return ArticleView(article, url, rendered, list(images))


def _page(articles: list[Article], base_url: str, page: int, per_page: int) -> Page:
    start = (page - 1) * per_page
    views = [_view(article, base_url) for article in articles[start : start + per_page]]
    return Page(views, page, per_page, len(articles))


def _get(store: ArticleStore, slug: str) -> Article:
    """The article behind a URL slug; a malformed slug is simply not found."""
    try:
        validate_slug(slug)
    except InvalidSlug as exc:
        raise ArticleNotFound() from exc
    with _api_errors():
        return store.get(slug)


# -- reading (anyone) ------------------------------------------------------------------------


def list_published(
    store: ArticleStore,
    base_url: str,
    *,
    category: str | None,
    tag: str | None,
    page: int,
    per_page: int,
) -> Page:
    """Published articles, newest first, optionally of one section or tag (scheduled ones
    stay out until their day)."""
    today = local_today()
    articles = [
        article
        for article in store.list(category, tag)
        if status_of(article, today) == ArticleStatus.PUBLISHED
    ]
    return _page(articles, base_url, page, per_page)


def get_published(store: ArticleStore, base_url: str, slug: str) -> ArticleView:
    """A published article with sanitized HTML.

    :raises ArticleNotFound: also for drafts and scheduled articles."""
    article = _get(store, slug)
    if status_of(article, local_today()) != ArticleStatus.PUBLISHED:
        raise ArticleNotFound()
    return _view(article, base_url, html=True)


# -- editing (editors) -----------------------------------------------------------------------


def list_for_editor(
    actor: User,
    store: ArticleStore,
    base_url: str,
    *,
    category: str | None,
    tag: str | None,
    draft: bool | None,
    page: int,
    per_page: int,
    status: str | None = None,
) -> Page:
    """All articles, drafts included (or only drafts / only published, or of one status).

    :raises Forbidden:
    """
    ensure_role(actor, roles.EDITOR)
    articles = store.list(category, tag, include_drafts=True)
    if draft is not None:
        articles = [article for article in articles if article.draft == draft]
    if status is not None:
        today = local_today()
        articles = [article for article in articles if status_of(article, today) == status]
    return _page(articles, base_url, page, per_page)


def get_for_editor(actor: User, store: ArticleStore, base_url: str, slug: str) -> ArticleView:
    """Any article with its Markdown, HTML and images. :raises Forbidden, ArticleNotFound:"""
    ensure_role(actor, roles.EDITOR)
    article = _get(store, slug)
    with _api_errors():
        return _view(article, base_url, html=True, images=store.images(slug))


@atomic()
def create_draft(actor: User, store: ArticleStore, base_url: str, data: dict) -> ArticleView:
    """Write a new draft; without a slug one is made from the date and the title's pinyin.

    :raises Forbidden: not an editor. :raises InvalidArticleSlug: bad slug or its date is not
    the article's date. :raises ArticleSlugTaken: the slug exists in any section.
    """
    ensure_role(actor, roles.EDITOR)
    values = dict(data)
    slug = values.pop("slug") or _free_slug(store, values["date"], values["title"])
    with _api_errors():
        if validate_slug(slug)[:10] != values["date"].isoformat():
            raise InvalidSlug("文章标识开头的日期应与文章日期一致")
        article = store.create(
            Article(slug=slug, draft=True, tags=tuple(values.pop("tags")), **values)
        )
    audit(actor, "article.create", "article", slug)
    return _view(article, base_url, html=True)


@atomic()
def update_article(
    actor: User, store: ArticleStore, base_url: str, slug: str, changes: dict
) -> ArticleView:
    """Change an article's fields or body (a changed category moves it and its images).

    A published article stays published: the API shows the change at once, and a site build
    is queued (``build_job``) that puts it on the site and updates its search entry.
    :raises Forbidden, ArticleNotFound, InvalidArticle:
    """
    ensure_role(actor, roles.EDITOR)
    article = _get(store, slug)
    if "tags" in changes:
        changes = {**changes, "tags": tuple(changes["tags"])}
    with _api_errors():
        saved = store.save(dataclasses.replace(article, **changes))
        images = store.images(slug)
    job = None
    if not saved.draft:
        job = enqueue(SITE_BUILD, {"slug": slug, "action": "update"}, created_by=actor)
    audit(actor, "article.update", "article", slug, details={"fields": sorted(changes)})
    return dataclasses.replace(_view(saved, base_url, html=True, images=images), build_job=job)


def preview(actor: User, base_url: str, body: str, slug: str | None = None) -> dict:
    """Render Markdown as the API would serve it. :raises Forbidden:"""
    ensure_role(actor, roles.EDITOR)
    page = None
    if slug:
        with _api_errors():
            validate_slug(slug)
        page = urljoin(base_url, f"{slug}/")
    return {"html": render_markdown(body, base_url=page)}


@atomic()
def upload_image(
    actor: User, store: ArticleStore, base_url: str, slug: str, filename: str, data: bytes
) -> dict:
    """Store an image beside the article.

    :raises Forbidden, ArticleNotFound: :raises InvalidArticleImage: bad name, type, size.
    """
    ensure_role(actor, roles.EDITOR)
    article = _get(store, slug)
    with _api_errors():
        path = store.save_image(slug, filename, data)
    audit(actor, "article.image", "article", slug, details={"path": path})
    name = path.rsplit("/", 1)[1]
    return {
        "name": name,
        "path": path,
        "markdown": f"![]({path})",
        "url": urljoin(page_url(base_url, article), name),
    }


def image_for_editor(actor: User, store: ArticleStore, slug: str, name: str) -> Path:
    """The file of an image stored beside any article (drafts included), for its preview.

    :raises Forbidden, ArticleNotFound: :raises ArticleImageNotFound:
    """
    ensure_role(actor, roles.EDITOR)
    _get(store, slug)
    try:
        with _api_errors():
            path = store.image_path(slug, name)
    except InvalidArticleImage as exc:
        raise ArticleImageNotFound() from exc
    if path is None:
        raise ArticleImageNotFound()
    return path


def publish(actor: User, store: ArticleStore, slug: str) -> Job:
    """Mark the article published and queue the site build that puts it online.

    Publishing a published article queues a rebuild (to show later edits on the site).
    :raises Forbidden, ArticleNotFound:
    """
    return _set_draft(actor, store, slug, draft=False)


def unpublish(actor: User, store: ArticleStore, slug: str) -> Job:
    """Mark the article a draft and queue the site build that takes it down.

    :raises Forbidden, ArticleNotFound:
    """
    return _set_draft(actor, store, slug, draft=True)


@atomic()
def _set_draft(actor: User, store: ArticleStore, slug: str, *, draft: bool) -> Job:
    ensure_role(actor, roles.EDITOR)
    article = _get(store, slug)
    if article.draft != draft:
        with _api_errors():
            store.save(dataclasses.replace(article, draft=draft))
    action = "unpublish" if draft else "publish"
    job = enqueue(SITE_BUILD, {"slug": slug, "action": action}, created_by=actor)
    audit(actor, f"article.{action}", "article", slug)
    return job


def _free_slug(store: ArticleStore, date, title: str) -> str:
    """``<date>-<pinyin of the title>``, with ``-2``, ``-3`` … if taken."""
    from pypinyin import lazy_pinyin

    letters = re.sub(r"[^a-z0-9]+", "", "".join(lazy_pinyin(title)).lower())[:_MAX_SLUG_WORD]
    base = make_slug(date, letters or "wenzhang")
    slug, number = base, 1
    while store.find(slug) is not None:
        number += 1
        slug = f"{base}-{number}"
    return slug


# -- building the site and the search entry (jobs, CLI) -------------------------------------


def site_dir() -> Path:
    """Where the site is served from (a symlink swapped by each build)."""
    return sitebuild.site_link(current_app.config["SITE_DIR"])


def rebuild_site(
    progress: sitebuild.Progress | None = None, requested_at: datetime | None = None
) -> sitebuild.BuildResult:
    """Build ``CONTENT_DIR`` with the project's mkdocs.yml and swap it in at ``SITE_DIR``.

    ``requested_at``: when the change to publish was saved; if a build started after that
    has succeeded meanwhile, it is returned instead of building again (``coalesced``).

    :raises sitebuild.SiteBuildError: the build failed; the previous site stays.
    """
    config = current_app.config
    from api.config import PROJECT_ROOT

    return sitebuild.build_site(
        config.get("MKDOCS_CONFIG") or PROJECT_ROOT / "mkdocs.yml",
        site_dir(),
        progress,
        docs_dir=config["CONTENT_DIR"],
        timeout=float(config.get("SITE_BUILD_TIMEOUT", sitebuild.DEFAULT_TIMEOUT)),
        requested_at=_epoch(requested_at) if requested_at else None,
        publish_until=local_today().isoformat(),
        clock=utcnow,
    )


def _epoch(moment: datetime) -> float:
    if moment.tzinfo is None:  # stored UTC, read back naive by some drivers
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def sync_search_entry(store: ArticleStore, slug: str) -> bool:
    """Make the article's search entry match its file: indexed if published, else removed."""
    index = search_index()
    try:
        article = store.get(slug)
    except ArticleNotFound:
        article = None
    if article is not None and status_of(article, local_today()) == ArticleStatus.PUBLISHED:
        index.add_or_update([article_document(article)])
        return True
    index.delete([article_doc_id(slug)])
    return False


@handler(SITE_BUILD)
def run_site_build(job: Job, report: Callable[[int, str], None]) -> dict:
    """Job: rebuild the site, then sync the search entry of the article that asked for it.

    Raises ``SiteBuildError`` (the job fails with its message; the old site keeps serving).
    """
    reported = {"percent": -1}

    def progress(done: int, total: int, message: str) -> None:
        percent = 5 + done * 85 // total if total else 0
        if percent // 10 != reported["percent"] // 10 or not total:  # a DB write per 10 %
            reported["percent"] = percent
            report(percent, message)

    # Queued publishes are run one after another; the first build has them all on disk.
    result = rebuild_site(progress, requested_at=job.created_at)
    outcome = {
        "build_id": result.build_id,
        "pages": result.pages,
        "seconds": round(result.seconds, 2),
        "coalesced": result.coalesced,
    }
    payload = job.payload or {}
    slugs = payload.get("slugs") or ([payload["slug"]] if payload.get("slug") else [])
    if slugs:
        report(95, "更新搜索索引")
        store = store_for(current_app.config["CONTENT_DIR"])
        try:
            indexed = [sync_search_entry(store, slug) for slug in slugs]
            outcome["indexed"] = indexed[0] if payload.get("slug") else sum(indexed)
        except Exception as exc:  # the site is online; a stale search entry is not a failure
            log.exception("search entries of %s not updated", slugs)
            outcome["search_error"] = str(exc)
    return outcome
