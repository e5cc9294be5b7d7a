"""搜索 in the browser: Traditional and Simplified alike, highlights, type filter, safety."""

import pytest

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright").expect


@pytest.fixture
def indexed(app):
    """Factory: rebuild the search index from the database (after creating activities)."""
    if "/api/v1/search" not in {rule.rule for rule in app.url_map.iter_rules()}:
        pytest.skip("the search API is not part of this app")
    from api.searching.services import rebuild

    return rebuild


def test_a_traditional_term_finds_both_scripts_with_highlights(web, indexed, activity_on, tomorrow):
    simplified = activity_on(
        tomorrow, title="写春联进社区", description="志愿者为居民写春联、送福字"
    )
    activity_on(tomorrow, start_hour=14, title="寫春聯送福字", description="志願者在文化廣場寫春聯")
    activity_on(tomorrow, start_hour=16, title="反诈宣传进村", description="守好老人的养老钱")
    indexed()
    page = web.open("/app/search")
    expect(page.locator(".state-empty")).to_contain_text("输入关键词搜索活动和文章")
    page.get_by_label("搜索内容").fill("寫春聯")
    page.get_by_role("button", name="搜索", exact=True).click()

    hits = page.locator(".search-hit")
    expect(hits).to_have_count(2)
    expect(page.locator(".section-title")).to_have_text("找到 2 条结果")
    first_mark = ".snippet mark >> nth=0"
    expect(hits.filter(has_text="写春联进社区").locator(first_mark)).to_have_text("写春联")
    expect(hits.filter(has_text="寫春聯送福字").locator(first_mark)).to_have_text("寫春聯")
    expect(page.locator('.chip[data-type="activity"]')).to_have_text("活动 2")
    web.shot("search")

    page.locator('.chip[data-type="article"]').click()
    expect(page.locator(".state-empty")).to_contain_text("没有找到与“寫春聯”相关的文章")
    page.locator('.chip[data-type="activity"]').click()
    expect(hits).to_have_count(2)
    assert "q=%E5%AF%AB%E6%98%A5%E8%81%AF" in page.url and "type=activity" in page.url

    hits.filter(has_text="写春联进社区").get_by_role("link").click()
    expect(page).to_have_url(f"{web.base_url}/app/activities/{simplified.id}")
    expect(page.locator(".detail-title")).to_have_text("写春联进社区")


def test_markup_in_the_data_shows_as_text_and_never_runs(web, indexed, activity_on, tomorrow):
    activity_on(
        tomorrow,
        title="<b>防诈骗</b>讲座",
        description="<script>window.xssOne=1</script>防诈骗 "
        '<img src="x" onerror="window.xssTwo=2">',
    )
    indexed()
    page = web.open("/app/search?q=防诈骗")
    hit = page.locator(".search-hit")
    expect(hit).to_have_count(1)
    expect(hit.locator("h3")).to_have_text("<b>防诈骗</b>讲座")
    expect(hit.locator(".snippet")).to_contain_text("<script>window.xssOne=1</script>")
    expect(hit.locator(".snippet mark").first).to_have_text("防诈骗")
    assert hit.locator(".snippet script, .snippet img, h3 b").count() == 0
    assert page.evaluate("[window.xssOne, window.xssTwo]") == [None, None]
    assert not [request for request in web.traffic.requests if request.url.endswith("/x")]


def test_a_search_without_results_says_so(web, indexed):
    indexed()
    page = web.open("/app/search?q=完全不存在的词")
    expect(page.locator(".state-empty")).to_contain_text("没有找到与“完全不存在的词”相关的内容")
