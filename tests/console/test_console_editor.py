"""The editor's screen in a browser: write an article, upload an image, preview it, publish it
and find it on the site (a real MkDocs build) and through search; unpublish it and it is gone
from both. The test thread plays the job worker (the tests' task queue is ``memory``: nothing
runs by itself)."""

import shutil
import struct
import zlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from api.jobs.services import run_next
from publishing.frontmatter import CATEGORIES

PASSWORD = "editor-pass-2026"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _png(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG (red pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\xb7\x14\x1b" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def app_settings(app_settings, tmp_path):
    """A content directory with the site's own pages and no articles."""

    def without_articles(folder: str, names: list[str]) -> set[str]:
        if Path(folder).name in CATEGORIES:
            return {name for name in names if name != "index.md"}
        return set()

    content = tmp_path / "editor-content"
    shutil.copytree(PROJECT_ROOT / "content", content, ignore=without_articles)
    return {**app_settings, "CONTENT_DIR": str(content)}


def _work_until(page, locator, seconds: float = 60) -> None:
    """Run queued jobs (as the worker would) until ``locator`` shows on the page."""
    for _ in range(int(seconds / 0.25)):
        run_next()
        if locator.count():
            return
        page.wait_for_timeout(250)
    raise AssertionError("the site build did not finish in time")


def test_an_editor_writes_publishes_and_unpublishes_an_article(console, create_user, client):
    create_user("editor1", password=PASSWORD, roles=[("editor", None)])
    browsing = console()
    browsing.sign_in("editor1", PASSWORD)
    page = browsing.open("/admin/articles")
    expect(page.get_by_text("没有文章")).to_be_visible()
    assert browsing.axe_violations() == []
    browsing.shot("editor-articles-empty")

    page.get_by_role("link", name="写文章").click()
    page.get_by_label("标题").fill("冬季道路防滑倡议")
    page.get_by_label("栏目").select_option("news")
    page.get_by_label("作者").fill("县新时代文明实践中心")
    page.get_by_label("标签").fill("冬季，安全")
    page.get_by_label("摘要").fill("雨雪天气请志愿者协助清扫积雪。")
    page.get_by_label("正文（Markdown）").fill(
        "## 扫雪除冰\n\n请各村志愿者**清扫积雪**，防止老人滑倒。\n"
    )
    preview = page.locator("#article-preview")
    expect(preview.locator("h2")).to_have_text("扫雪除冰")
    expect(preview.locator("strong")).to_have_text("清扫积雪")

    page.locator("#article-image").set_input_files(
        files=[{"name": "xue.png", "mimeType": "image/png", "buffer": _png()}]
    )
    expect(preview.locator("img")).to_have_count(1)
    assert "![](" in page.get_by_label("正文（Markdown）").input_value()
    slug = page.evaluate("new URLSearchParams(location.search).get('slug')")
    assert slug and slug.endswith("dongjidaolufanghuachangyi")
    assert browsing.axe_violations() == []
    browsing.shot("editor-article-draft")

    page.get_by_role("button", name="发布", exact=True).click()
    live = page.get_by_role("link", name="打开页面")
    _work_until(page, live)
    url = live.get_attribute("href")
    assert url.endswith(f"/news/{slug}/")
    site_page = client.get(f"/news/{slug}/", buffered=True)
    html = site_page.get_data(as_text=True)
    assert site_page.status_code == 200 and "冬季道路防滑倡议" in html and "xue.png" in html
    image = client.get(f"/news/{slug}/xue.png", buffered=True)
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    found = client.get("/api/v1/search?q=扫雪").get_json()["data"]
    assert [(item["type"], item["id"]) for item in found] == [("article", slug)]
    browsing.shot("editor-article-published")

    page.get_by_role("button", name="撤下").click()
    _work_until(page, page.get_by_text("已撤下，页面已从网站移除"))
    assert client.get(f"/news/{slug}/", buffered=True).status_code == 404
    assert client.get("/api/v1/search?q=扫雪").get_json()["data"] == []

    page.get_by_role("link", name="返回列表").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr .tag")).to_have_text("草稿")
    assert browsing.axe_violations() == []
    browsing.shot("editor-articles-list")
