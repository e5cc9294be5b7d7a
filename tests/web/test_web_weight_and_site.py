"""First page loads stay light, and the pages and the content site link to each other."""

import re
from pathlib import Path

import pytest

from api.signups.services import sign_up

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright").expect
MAX_FIRST_LOAD_BYTES = 300 * 1024
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_the_first_load_of_each_page_transfers_under_300_kb(
        app, browse, activity_on, tomorrow, create_user, page_weights):
    activities = [activity_on(tomorrow, start_hour=8 + number % 10, hours=1,
                              title=f"文明实践活动 {number}") for number in range(25)]
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
    for name, api_rule, path in (("search", "/api/v1/search", "/app/search?q=文明实践活动"),
                                 ("help", "/api/v1/help-requests", "/app/help"),
                                 ("stats", "/api/v1/stats", "/app/stats")):
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
