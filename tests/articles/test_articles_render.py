"""Rendering for the mini-program: Markdown features kept, anything active removed."""

import pytest

from publishing.render import render_markdown, sanitize_site_html

PAGE = "https://example.org/health/2026-12-03-gaoxueya/"


def test_tables_render():
    html = render_markdown("| 分类 | 收缩压 |\n| --- | ---: |\n| 正常 | 低于120 |\n")
    assert "<table>" in html and '<td align="right">低于120</td>' in html


def test_single_newlines_become_line_breaks():
    assert render_markdown("第一行\n第二行") == "<p>第一行<br>\n第二行</p>"


@pytest.mark.parametrize(
    ("markdown", "forbidden"),
    [
        ("<script>alert(1)</script>正文", "alert"),
        ("<style>body{display:none}</style>正文", "display"),
        ('<p onclick="steal()">正文</p>', "onclick"),
        ('<img src="x.png" onerror="steal()">', "onerror"),
        ("[点我](javascript:alert(1))", "javascript"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
        ('<p style="position:fixed">正文</p>', "style"),
        ('<iframe src="https://evil.example/"></iframe>', "iframe"),
        ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "data:"),
        ('<form action="/x"><input name="a"></form>', "<input"),
    ],
)
def test_active_content_is_removed(markdown, forbidden):
    html = render_markdown(markdown)
    assert forbidden not in html.lower()


def test_images_beside_the_article_get_absolute_urls():
    html = render_markdown("![图](2026-12-03-gaoxueya/photo.png)", base_url=PAGE)
    assert 'src="https://example.org/health/2026-12-03-gaoxueya/photo.png"' in html


def test_site_sanitizer_keeps_heading_ids_and_drops_scripts():
    html = '<h2 id="_1">标题<a class="headerlink" href="#_1">¶</a></h2><script>x()</script>'
    assert sanitize_site_html(html) == '<h2 id="_1">标题<a class="headerlink" href="#_1">¶</a></h2>'


def test_attribute_lists_are_read_as_on_the_site():
    """mkdocs.yml enables attr_list: its ``{: ...}`` never shows as text in the preview either,
    and the attributes it sets are kept only where rich-text allows them."""
    html = render_markdown('## 要点 {: #yaodian .big }\n\n![示意图](a.png){: width="320" }\n')

    assert "{:" not in html
    assert "<h2>要点</h2>" in html
    assert 'width="320"' in html and "class=" not in html
