"""MkDocs hooks of the content site (registered in mkdocs.yml under ``hooks:``).

- ``on_config``: tag anchors become pinyin (``slugify_tag``) instead of raw Chinese.
- ``on_files``: every article (``<section>/<slug>.md``) is validated with the same front-matter
  schema as the API; a broken one fails the build with its file name and the reason. Drafts
  (``draft: true``) and their images are dropped from the build, and so are scheduled articles:
  those dated after ``ARTICLES_PUBLISH_UNTIL`` (set by the platform for each build).
- ``on_env`` and ``on_page_markdown``: front-matter values are data, not HTML. MkDocs templates do
  not autoescape, so every string of ``page.meta`` becomes escaped ``Markup`` before any template
  or plugin (tags) reads it, and ``striptags`` (which unescapes) escapes its result again.
- ``on_page_markdown``: the section index pages get their article list (newest first, grouped by
  year) where they say ``<!-- articles -->``; the home page gets the latest articles of a section
  where it says ``<!-- latest:<section> -->``.
- ``on_page_content``: article HTML is sanitized (scripts, event handlers, ``javascript:`` URLs).
- ``on_post_page``: reports progress on stdout when ``CIVP_BUILD_PROGRESS`` is set (used by
  ``publishing.sitebuild``).
- ``on_post_build``: the hashes of Material's own inline scripts, for the pages'
  Content-Security-Policy (``publishing.csp``).
"""

from __future__ import annotations

import functools
import html
import os
import re
import sys
import zlib
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from markupsafe import Markup, escape
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url
from pypinyin import lazy_pinyin

# MkDocs loads this file by path: a checkout that is not installed (``pip install -e .``) has
# the project's folder on sys.path only thanks to this line. The hook needs only ``publishing``,
# which imports nothing from ``api`` (no Flask, no app factory: no seconds of start-up per build).
_PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(_PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(_PROJECT_ROOT))

from publishing import csp  # noqa: E402
from publishing.exceptions import ArticleError  # noqa: E402
from publishing.frontmatter import CATEGORIES  # noqa: E402
from publishing.render import sanitize_site_html  # noqa: E402
from publishing.store import (  # noqa: E402
    PUBLISH_UNTIL_ENV,
    Article,
    check_placement,
    sort_key,
    validate_slug,
)

LATEST_COUNT = 5
PROGRESS_ENV = "CIVP_BUILD_PROGRESS"
PROGRESS_PREFIX = "@@progress"
_LATEST_MARKER = re.compile(r"<!--\s*latest:(?P<category>[a-z]+)\s*-->")
_ARTICLES_MARKER = re.compile(r"<!--\s*articles\s*-->")


@dataclass(frozen=True)
class _Entry:
    article: Article
    file: File


class _State:
    """What one build learned in on_files (hooks are modules: reset per build)."""

    def __init__(self) -> None:
        self.sections: dict[str, list[_Entry]] = {category: [] for category in CATEGORIES}
        self.article_uris: set[str] = set()
        self.pages_total = 0
        self.pages_done = 0


_state = _State()


def on_config(config):
    """Start a fresh build; give templates the section names (``config.extra.sections``)."""
    global _state
    _state = _State()
    config.extra["sections"] = dict(CATEGORIES)
    for name, plugin in config.plugins.items():
        if name in ("tags", "material/tags"):
            plugin.config.tags_slugify = slugify_tag
    return config


@functools.lru_cache(maxsize=4096)
def slugify_tag(tag: str, separator: str = "-") -> str:
    """An ASCII anchor for a Chinese tag: its pinyin plus a short checksum against homophones.

    ``高血压`` → ``gao-xue-ya-3f1c``; the tags page links stay free of percent-encoded Chinese.
    """
    words = re.sub(r"[^a-z0-9]+", separator, separator.join(lazy_pinyin(tag)).lower())
    checksum = f"{zlib.crc32(tag.encode('utf-8')) & 0xFFFF:04x}"
    return f"{words.strip(separator)}{separator}{checksum}".lstrip(separator)


def _scheduled(article: Article) -> bool:
    """Dated after the last date this build publishes (none set: nothing is held back)."""
    until = os.environ.get(PUBLISH_UNTIL_ENV)
    return bool(until) and article.date.isoformat() > until


def on_files(files: Files, config) -> Files:
    """Validate articles, drop drafts (and their images), collect the section lists."""
    errors: list[str] = []
    drafts: set[str] = set()
    entries: dict[str, list[_Entry]] = {category: [] for category in CATEGORIES}
    for file in list(files):
        parts = file.src_uri.split("/")
        if parts[0] not in CATEGORIES or not file.is_documentation_page():
            continue
        if len(parts) != 2:
            errors.append(f"{file.src_uri}：文章必须直接放在栏目目录 {parts[0]}/ 下")
            continue
        if parts[1] == "index.md":
            continue
        try:
            slug = validate_slug(parts[1].removesuffix(".md"))
            article = Article.from_text(slug, file.content_string)
            check_placement(article, parts[0])
        except ArticleError as exc:
            errors.append(f"{file.src_uri}：{exc.message}")
            continue
        if article.draft or _scheduled(article):
            drafts.add(f"{parts[0]}/{slug}")
            files.remove(file)
            continue
        entries[parts[0]].append(_Entry(article, file))
    if errors:
        raise PluginError("文章校验失败，站点未更新：\n" + "\n".join(errors))

    for file in list(files):
        # content/<section>/<slug>/<image> belongs to the article <slug>
        if "/".join(file.src_uri.split("/")[:2]) in drafts and not file.is_documentation_page():
            files.remove(file)

    for category, found in entries.items():
        _state.sections[category] = sorted(
            found, key=lambda entry: sort_key(entry.article), reverse=True
        )
    _state.article_uris = {entry.file.src_uri for found in entries.values() for entry in found}
    _state.pages_total = sum(1 for _ in files.documentation_pages())
    return files


def on_env(env, config, files):
    """Make ``striptags`` return escaped text: it unescapes, and nothing escapes after it."""
    env.filters["striptags"] = _striptags_escaped
    return env


def _striptags_escaped(value) -> Markup:
    return escape(Markup(str(value)).striptags())


def escape_meta(meta: dict) -> None:
    """Escape, in place, every string (and string in a list) of a page's front matter."""
    for key, value in meta.items():
        if isinstance(value, str):
            meta[key] = escape(value)
        elif isinstance(value, list):
            meta[key] = [escape(item) if isinstance(item, str) else item for item in value]


# Before every plugin (the tags plugin reads page.meta in its own on_page_markdown).
@event_priority(100)
def on_page_markdown(markdown: str, page, config, files) -> str:
    """Escape the front matter; fill the ``<!-- articles -->`` and ``<!-- latest:... -->``."""
    escape_meta(page.meta)
    uri = page.file.src_uri
    parts = uri.split("/")
    if len(parts) == 2 and parts[0] in CATEGORIES and parts[1] == "index.md":
        entries = _state.sections[parts[0]]
        markdown = _ARTICLES_MARKER.sub(lambda _: _section_list(entries, page), markdown)
    if "<!--" in markdown:
        markdown = _LATEST_MARKER.sub(lambda match: _latest_list(match, page), markdown)
    return markdown


def on_page_content(html_content: str, page, config, files) -> str:
    """Sanitize the HTML of article pages (editors write them; the API is on this origin)."""
    if page.file.src_uri in _state.article_uris:
        return sanitize_site_html(html_content)
    return html_content


def on_post_page(output: str, page, config) -> str:
    _state.pages_done += 1
    if os.environ.get(PROGRESS_ENV):
        print(f"{PROGRESS_PREFIX} {_state.pages_done} {_state.pages_total}", flush=True)
    return output


# Pages a search engine has no business with: the API, personal and one-time pages.
ROBOTS_DISALLOW = (
    "/api/",
    "/app/me",
    "/app/login",
    "/app/auth/",
    "/app/checkin",
    "/app/certificates/",
    "/app/family",
    "/app/points",
    "/app/inbox",
    "/search/",
)


def on_post_build(config) -> None:
    """Write the inline-script hashes the server puts in the pages' CSP, and ``robots.txt``
    beside the sitemap, naming it at the site's address."""
    csp.write_hashes(config.site_dir)
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    site_url = config.get("site_url") or "/"
    lines.append(f"Sitemap: {site_url.rstrip('/')}/sitemap.xml")
    Path(config["site_dir"], "robots.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _latest_list(match: re.Match[str], page) -> str:
    category = match.group("category")
    if category not in CATEGORIES:
        raise PluginError(f"{page.file.src_uri}：未知栏目 {category}")
    return _items_html(_state.sections[category][:LATEST_COUNT], page)


def _section_list(entries: list[_Entry], page) -> str:
    if not entries:
        return '<p class="civp-empty">暂无文章。</p>'
    blocks = []
    for year, group in groupby(entries, key=lambda entry: entry.article.date.year):
        blocks.append(f"## {year} 年\n\n{_items_html(list(group), page)}")
    return "\n\n".join(blocks)


def _items_html(entries: list[_Entry], page) -> str:
    if not entries:
        return '<p class="civp-empty">暂无文章。</p>'
    items = []
    for entry in entries:
        article = entry.article
        href = html.escape(get_relative_url(entry.file.url, page.file.url))
        summary = (
            f'<span class="civp-articles__summary">{html.escape(article.summary)}</span>'
            if article.summary
            else ""
        )
        items.append(
            f'<li><a class="civp-articles__title" href="{href}">{html.escape(article.title)}</a>'
            f'<time class="civp-articles__date" datetime="{article.date.isoformat()}">'
            f"{article.date.isoformat()}</time>{summary}</li>"
        )
    return '\n<ul class="civp-articles">\n' + "\n".join(items) + "\n</ul>\n"
