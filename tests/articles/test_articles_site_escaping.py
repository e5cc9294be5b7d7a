"""Front-matter values are data: a real build of a hostile article injects no element or handler.

MkDocs templates do not escape; the hook escapes ``page.meta`` before any template or plugin
reads it. The built pages are parsed with the standard library's HTML tokenizer, which splits
tags and attributes as a browser does.
"""

from html.parser import HTMLParser

TITLE = '<img src=x onerror=alert(1)>标题</title><script>alert("t")</script>'
TAG = "<svg onload=alert(2)>"
AUTHOR = '"><img src=x onerror=alert(3)>'
SUMMARY = "<script>alert(4)</script>摘要 & 说明"
HEADING = "<img src=x onerror=alert(5)>小节"
HOSTILE = {
    "title": TITLE,
    "tags": (TAG, "健康"),
    "author": AUTHOR,
    "summary": SUMMARY,
    "body": f"## {HEADING}\n\n正文。\n",
}
HOSTILE_MARKERS = ("alert(1)", "alert(2)", "alert(3)", "alert(4)", "alert(5)", 'alert("t")')


class _Page(HTMLParser):
    """Every start tag with its attributes, the text of every element, inline script bodies."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: dict[str, list[str]] = {}
        self.scripts: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._open.append(tag)

    def handle_endtag(self, tag):
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data):
        tag = self._open[-1] if self._open else ""
        if tag == "script":
            self.scripts.append(data)
        self.texts.setdefault(tag, []).append(data)


def _parse(path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def test_no_page_gains_an_element_handler_or_script(hostile_site_of):
    hostile_site = hostile_site_of(**HOSTILE)
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) >= 8
    for path in pages:
        page = _parse(path)
        handlers = [
            (tag, name) for tag, attrs in page.elements for name in attrs if name.startswith("on")
        ]
        assert handlers == [], path
        hostile_svgs = [
            attrs
            for tag, attrs in page.elements
            if tag == "svg"
            and any(name not in {"xmlns", "viewbox", "class", "aria-hidden"} for name in attrs)
        ]
        assert hostile_svgs == [], path
        assert not [s for s in page.scripts if any(m in s for m in HOSTILE_MARKERS)], path


def test_article_page_shows_the_values_as_text(hostile_site_of):
    hostile_site = hostile_site_of(**HOSTILE)
    page = _parse(hostile_site / "health" / "2026-12-03-hostile" / "index.html")
    assert TITLE + " - 临颍县新时代文明实践中心" in page.texts["title"]
    assert TITLE in page.texts["h1"]
    assert AUTHOR in page.texts["span"]
    assert TAG in [text.strip() for text in page.texts["a"]]
    assert ("meta", {"name": "author", "content": AUTHOR}) in page.elements


def test_lists_and_tags_page_show_the_values_as_text(hostile_site_of):
    hostile_site = hostile_site_of(**HOSTILE)
    section = _parse(hostile_site / "health" / "index.html")
    assert TITLE in section.texts["a"] and SUMMARY in section.texts["span"]
    tags = _parse(hostile_site / "tags" / "index.html")
    assert TAG in [text.strip() for text in tags.texts["span"]]
    assert TITLE in [text.strip() for text in tags.texts["a"]]
