"""Markdown → sanitized HTML.

``render_markdown`` produces the HTML the API hands to the mini-program's ``rich-text`` component:
only tags that component knows, no ``<script>``/``<style>`` (content included), no ``on*`` or
``style`` attributes, no ``javascript:``/``data:`` URLs, relative image and link URLs made absolute
against a base. ``sanitize_site_html`` is the looser profile the MkDocs hook applies to article
pages (it keeps ids and classes the theme needs). Both use nh3 (ammonia), an allow-list sanitizer.
"""

from __future__ import annotations

from urllib.parse import urljoin

import markdown
import nh3

#: The Markdown extensions of the site (mkdocs.yml) that matter for an article body.
MARKDOWN_EXTENSIONS = ["tables", "sane_lists", "nl2br", "fenced_code", "attr_list"]

#: Tags the WeChat ``rich-text`` component renders.
RICH_TEXT_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd",
        "del", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
        "ins", "li", "mark", "ol", "p", "pre", "q", "s", "section", "small", "span", "strong",
        "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip

RICH_TEXT_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "col": {"span"},
    "colgroup": {"span"},
}

URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

# Dropped together with their content, not just unwrapped.
_CLEAN_CONTENT_TAGS = {"script", "style", "noscript", "iframe", "object", "embed", "template"}


def markdown_to_html(text: str) -> str:
    """Convert Markdown (GFM tables, lists, single newlines as line breaks) to unsafe HTML."""
    return markdown.markdown(
        text,
        extensions=MARKDOWN_EXTENSIONS,
        extension_configs={"tables": {"use_align_attribute": True}},
        output_format="html",
    )


def sanitize_rich_text(html: str, *, base_url: str | None = None) -> str:
    """Reduce ``html`` to what ``rich-text`` renders; resolve relative URLs against ``base_url``."""
    return nh3.clean(
        html,
        tags=set(RICH_TEXT_TAGS),
        clean_content_tags=_CLEAN_CONTENT_TAGS,
        attributes={tag: set(names) for tag, names in RICH_TEXT_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        url_relative=_relative_resolver(base_url),
        link_rel="noopener noreferrer",
    )


def render_markdown(text: str, *, base_url: str | None = None) -> str:
    """Markdown → HTML for the mini-program: rendered, then ``sanitize_rich_text``.

    ``base_url`` is the article page's URL (``https://host/health/2026-12-03-gaoxueya/``); images
    written as ``2026-12-03-gaoxueya/photo.png`` are stored beside the page, so they resolve
    against the section, not the page: pass ``base_url`` and this is handled.
    """
    return sanitize_rich_text(markdown_to_html(text), base_url=_section_base(base_url))


def sanitize_site_html(html: str) -> str:
    """Sanitize an article page's HTML for the site: rich-text tags plus ids, classes, titles.

    Headings keep their ``id`` (the table of contents links to them) and permalinks their class.
    """
    attributes = {tag: set(names) for tag, names in RICH_TEXT_ATTRIBUTES.items()}
    attributes["*"] = {"id", "class", "title"}
    return nh3.clean(
        html,
        tags=set(RICH_TEXT_TAGS),
        clean_content_tags=_CLEAN_CONTENT_TAGS,
        attributes=attributes,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
    )


def _section_base(page_url: str | None) -> str | None:
    """The URL Markdown paths of an article are relative to: its section folder."""
    if not page_url:
        return None
    return urljoin(page_url.rstrip("/") + "/", "..")


def _relative_resolver(base_url: str | None):
    if not base_url:
        return None

    def resolve(url: str) -> str:
        return url if url.startswith("#") else urljoin(base_url, url)

    return resolve
