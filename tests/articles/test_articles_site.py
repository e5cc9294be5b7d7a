"""The built site: pages, section lists, drafts, no third-party requests, search box."""

import re

from publishing import frontmatter


def _page(site, path):
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_every_published_article_has_a_page(corpus_site):
    assert corpus_site.imported.total == 42
    for article in corpus_site.store.list():
        assert (corpus_site.site / article.url_path / "index.html").is_file(), article.slug
    assert corpus_site.result.pages == 42 + 7  # home, about, tags, search, three sections


def test_article_page_shows_title_date_author_and_tags(corpus_site):
    html = _page(corpus_site.site, "health/2026-12-03-gaoxueya")
    assert "<h1>高血压：冬季控压的六个要点</h1>" in html
    assert '<time datetime="2026-12-03">2026年12月3日</time>' in html
    assert "临颍县人民医院心内科 李文静" in html
    assert 'href="../../tags/#tag:gao-xue-ya-' in html
    assert "<table>" in html


def test_drafts_and_their_images_are_not_published(corpus_site):
    draft = corpus_site.draft
    assert not (corpus_site.site / draft.url_path).exists()
    for html_file in corpus_site.site.rglob("*.html"):
        assert draft.slug not in html_file.read_text(encoding="utf-8")


def test_section_pages_list_their_articles_newest_first(corpus_site):
    for category in frontmatter.CATEGORIES:
        html = _page(corpus_site.site, category)
        listed = re.findall(r'class="civp-articles__title" href="([^"]+)/"', html)
        expected = [a.slug for a in corpus_site.store.list(category=category)]
        assert listed == expected
        assert listed == sorted(listed, reverse=True)


def test_home_page_lists_latest_of_each_section_and_links(corpus_site):
    html = (corpus_site.site / "index.html").read_text(encoding="utf-8")
    for category in frontmatter.CATEGORIES:
        newest = corpus_site.store.list(category=category)[0]
        assert f'href="{newest.url_path}"' in html
    assert html.count('class="civp-articles__title"') == 15
    assert 'href="/app/activities"' in html
    assert "0395-8861568" in html


def test_seed_article_page_has_no_pinyin_artifacts(corpus_site):
    html = _page(corpus_site.site, "news/2021-03-08-linying-civilization-practice")
    assert "學黨史國史" in html
    assert "(xué)" not in html and "(jié)" not in html


def test_urls_are_ascii_and_never_percent_encoded(corpus_site):
    for path in corpus_site.site.rglob("*"):
        assert path.relative_to(corpus_site.site).as_posix().isascii(), path
    for html_file in corpus_site.site.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        hrefs = re.findall(r'(?:href|src)="([^"]*)"', html)
        assert not [h for h in hrefs if "%" in h or not h.isascii()], html_file


def test_site_loads_nothing_from_other_origins(corpus_site):
    for html_file in corpus_site.site.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        assets = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="([^"]+)"', html)
        external = [url for url in assets if re.match(r"(https?:)?//", url)]
        # the canonical link names the site itself; nothing else may leave the origin
        assert all(url.startswith("http://localhost:5000/") for url in external), external
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
    for css in corpus_site.site.rglob("*.css"):
        assert "@import url(http" not in css.read_text(encoding="utf-8")


def test_search_box_uses_the_api_not_a_client_index(corpus_site):
    assert not (corpus_site.site / "search" / "search_index.json").exists()
    home = (corpus_site.site / "index.html").read_text(encoding="utf-8")
    assert 'class="civp-search"' in home and 'action="search/"' in home
    assert 'content="/api/v1"' in home
    script = (corpus_site.site / "assets" / "civp" / "search.js").read_text(encoding="utf-8")
    assert '"/search?"' in script
    assert 'id="civp-search-results"' in _page(corpus_site.site, "search")


def test_article_html_in_pages_is_sanitized(small_site, create_article):
    create_article(
        name="xss",
        body=(
            '<script>alert("x")</script>\n\n<p onclick="steal()">正文</p>\n\n'
            "[x](javascript:alert(1))\n"
        ),
    )
    small_site.build()
    html = _page(small_site.site, "health/2026-12-03-xss")
    article = html[html.index("<article") : html.index("</article>")]
    assert "alert" not in article and "onclick" not in article and "javascript:" not in article
