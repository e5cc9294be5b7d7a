"""First page loads stay light, and the pages and the content site link to each other."""

import re
from datetime import timedelta
from pathlib import Path

import pytest

from api.signups.services import sign_up

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright").expect
MAX_FIRST_LOAD_BYTES = 300 * 1024
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_the_first_load_of_each_page_transfers_under_300_kb(
    app, browse, activity_on, tomorrow, create_user, page_weights
):
    activities = [
        activity_on(tomorrow, start_hour=8 + number % 10, hours=1, title=f"文明实践活动 {number}")
        for number in range(25)
    ]
    user = create_user()
    for activity in activities[:5]:
        sign_up(user, activity.id)
    pages = {
        "calendar": (f"/app/?month={tomorrow:%Y-%m}", False),
        "activity": (f"/app/activities/{activities[0].id}", True),
        "me": ("/app/me", True),
        "login": ("/app/login", False),
    }
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    for name, api_rule, path in (
        ("search", "/api/v1/search", "/app/search?q=文明实践活动"),
        ("help", "/api/v1/help-requests", "/app/help"),
        ("stats", "/api/v1/stats", "/app/stats"),
    ):
        if api_rule in rules:
            pages[name] = (path, name == "help")
    for name, (path, signed_in) in pages.items():
        web = browse()
        if signed_in:
            web.sign_in(user)
        page = web.open(path)
        web.wait_until_loaded()
        page.wait_for_load_state("networkidle")
        weight = web.traffic.transferred_bytes()
        page_weights[name] = weight
        assert 0 < weight < MAX_FIRST_LOAD_BYTES, f"{name}: {weight} bytes"


def test_the_site_links_to_the_calendar_and_the_pages_back_to_the_site(with_site, web):
    page = web.open("/")
    page.get_by_role("link", name="查看近期活动").first.click()
    expect(page).to_have_url(re.compile(r"/app/(\?.*)?$"))
    expect(page.locator(".month")).to_be_visible()
    page.get_by_role("link", name="资讯").click()
    expect(page).to_have_url(web.base_url + "/")


def test_the_site_is_red_links_the_activities_and_its_search_shows_type_and_date(
    with_site, app, web, activity_on, tomorrow
):
    if "/api/v1/search" not in {rule.rule for rule in app.url_map.iter_rules()}:
        pytest.skip("the search API is not part of this app")
    from api.searching.services import rebuild  # only where the search API is installed

    activity_on(tomorrow, title="周末广场义诊")  # the same weekly activity, a week apart
    activity_on(tomorrow + timedelta(days=7), title="周末广场义诊")
    rebuild()
    page = web.open("/search/?q=周末广场义诊")
    results = page.locator(".civp-search-result")
    expect(results).to_have_count(2)
    expect(results.first.locator(".civp-search-result__type")).to_have_text("活动")
    dates = results.locator(".civp-search-result__date").all_text_contents()
    assert len(set(dates)) == 2 and all(re.fullmatch(r"\d{4}年\d+月\d+日 09:00", d) for d in dates)
    header = page.evaluate("getComputedStyle(document.querySelector('.md-header')).backgroundColor")
    assert header == "rgb(183, 20, 27)"  # the app's red, #b7141b
    assert page.locator('nav a[href="/app/activities"]', has_text="志愿活动").count() >= 1

    robots = page.goto(f"{web.base_url}/robots.txt")
    assert "Disallow: /api/" in robots.text()
    assert f"Sitemap: {web.base_url}/sitemap.xml" in robots.text()
    sitemap = page.goto(f"{web.base_url}/sitemap.xml").text()
    assert f"<loc>{web.base_url}/" in sitemap and "localhost:5000" not in sitemap
