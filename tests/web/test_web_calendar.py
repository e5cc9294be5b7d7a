"""活动日历 and 活动详情 in the browser: browse, filter, near me, sign up, waitlist, cancel."""

import re

import pytest
from sqlalchemy import select

from api.extensions import db
from api.signups.models import Signup
from api.signups.services import sign_up

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright").expect


def test_browse_sign_up_see_it_in_my_signups_and_cancel(web, activity_on, tomorrow):
    activity = activity_on(tomorrow, title="重阳敬老包饺子", capacity=10)
    page = web.open(f"/app/?month={tomorrow:%Y-%m}")
    page.locator(f'[data-date="{tomorrow.isoformat()}"]').click()
    expect(page.locator(".section-title")).to_have_text(
        f"{tomorrow.month}月{tomorrow.day}日的活动（1）"
    )
    web.shot("calendar")

    page.get_by_role("link", name=re.compile("重阳敬老包饺子")).click()
    expect(page.locator(".detail-title")).to_have_text("重阳敬老包饺子")
    page.get_by_role("link", name="登录后报名").click()
    expect(page).to_have_url(re.compile(r"/app/login\?next="))
    web.shot("login")
    page.get_by_role("button", name="演示登录（居民）").click()

    expect(page.locator(".detail-title")).to_have_text("重阳敬老包饺子")
    page.get_by_role("button", name="我要报名").click()
    expect(page.locator("[data-signup-status]")).to_have_attribute(
        "data-signup-status", "confirmed"
    )
    expect(page.locator(".capacity-bar")).to_be_visible()
    web.shot("activity-signed-up")

    page.get_by_role("link", name="我的").click()
    item = page.locator(f'.signups [data-activity-id="{activity.id}"]')
    expect(item.locator("[data-status]")).to_have_text("已报名")
    web.shot("me-signups")
    item.get_by_role("button", name="取消报名").click()
    item.get_by_role("button", name="确定取消").click()
    expect(item.locator("[data-status]")).to_have_text("已取消")

    db.session.expire_all()
    statuses = db.session.scalars(select(Signup.status).where(Signup.activity_id == activity.id))
    assert list(statuses) == ["cancelled"]


def test_a_full_activity_offers_the_waitlist_and_shows_my_position(
    web, activity_on, tomorrow, create_user
):
    activity = activity_on(tomorrow, title="冬季义诊", capacity=1)
    sign_up(create_user(), activity.id)
    web.sign_in(create_user())

    page = web.open(f"/app/activities/{activity.id}")
    expect(page.locator(".signup-box")).to_contain_text("已满，可候补")
    page.get_by_role("button", name="加入候补").click()
    expect(page.locator("[data-signup-status]")).to_have_text("您在候补名单中：候补第 1 位")
    web.shot("activity-waitlisted")

    page.get_by_role("button", name="取消候补").click()
    page.get_by_role("button", name="确定取消").click()
    expect(page.get_by_role("button", name="加入候补")).to_be_visible()


def test_township_and_theme_filters_narrow_the_list(web, activity_on, tomorrow, corpus_units):
    activity_on(tomorrow, title="巨陵镇健康讲座", theme="health")
    activity_on(
        tomorrow, title="城关街道党史宣讲", theme="history", unit_id=corpus_units["LY-CG"].id
    )
    page = web.open(f"/app/?day={tomorrow.isoformat()}")
    cards = page.locator(".activity-list .card")
    expect(cards).to_have_count(2)

    page.get_by_label("镇街").select_option(label="城关街道")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("城关街道党史宣讲")
    expect(page).to_have_url(re.compile(rf"unit={corpus_units['LY-CG'].id}"))

    page.get_by_label("镇街").select_option(label="全部镇街")
    page.get_by_label("主题").select_option(label="送健康科普")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("巨陵镇健康讲座")

    page.get_by_label("主题").select_option(label="学党史国史")
    page.get_by_label("镇街").select_option(label="巨陵镇")
    expect(page.locator(".state-empty")).to_contain_text("这一天没有活动")
    web.shot("calendar-empty")


def test_near_me_lists_activities_by_distance(browse, activity_on, tomorrow):
    web = browse(
        geolocation={"latitude": 33.7712, "longitude": 113.9891}, permissions=["geolocation"]
    )
    activity_on(tomorrow, title="身边的义诊")  # at the 巨陵镇 venue
    activity_on(tomorrow, title="远处的演出", lat=34.2, lng=113.5)
    page = web.open("/app/")
    page.get_by_role("button", name="附近").click()

    expect(page.locator(".section-title")).to_have_text("附近 5 公里内的活动（1）")
    expect(page.locator(".activity-list .card")).to_contain_text("身边的义诊")
    expect(page.locator(".activity-list .card")).to_contain_text("距您 0 米")
    expect(page.locator(".month")).to_be_hidden()
    web.shot("calendar-near-me")


def test_near_me_explains_a_refused_location(web):
    # Headless Chromium may leave the permission prompt unanswered: the phone says no at once.
    web.context.add_init_script("""
        navigator.geolocation.getCurrentPosition = (found, failed) => failed(
            { code: 1, PERMISSION_DENIED: 1, message: "denied" });
    """)
    page = web.open("/app/")
    page.get_by_role("button", name="附近").click()
    expect(page.locator(".state-error")).to_contain_text("您未允许获取位置")


def test_an_unknown_activity_shows_the_api_message(web, client):
    message = client.get("/api/v1/activities/999999").get_json()["message"]
    page = web.open("/app/activities/999999")
    expect(page.locator(".state-error .state-title")).to_have_text(message)
    web.shot("activity-not-found")


def test_text_from_the_api_is_shown_as_text_never_run(web, activity_on, tomorrow):
    activity_on(
        tomorrow,
        title='<img src="x" onerror="window.__xss=1">义诊',
        description="<script>window.__xss=2</script>量血压",
    )
    page = web.open(f"/app/?day={tomorrow.isoformat()}")
    card = page.locator(".activity-list .card")
    expect(card).to_contain_text('<img src="x" onerror="window.__xss=1">义诊')
    card.click()
    expect(page.locator(".detail-desc")).to_have_text("<script>window.__xss=2</script>量血压")
    assert page.evaluate("window.__xss") is None
    assert not [request for request in web.traffic.requests if request.url.endswith("/x")]


def test_add_to_calendar_downloads_the_activity_as_ics(web, activity_on, tomorrow):
    activity = activity_on(tomorrow, title="文明交通劝导")
    page = web.open(f"/app/activities/{activity.id}")
    with page.expect_download() as download:
        page.get_by_role("link", name="添加到手机日历").click()
    body = download.value.path().read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in body
    assert "SUMMARY:文明交通劝导" in body
    assert f"DTSTART;TZID=Asia/Shanghai:{tomorrow:%Y%m%d}T090000" in body


def test_an_expired_sign_in_is_forgotten_and_the_page_still_shows(web, activity_on, tomorrow):
    activity = activity_on(tomorrow, title="社区读书会")
    web.context.add_cookies(
        [
            {"name": name, "value": "expired-or-revoked", "domain": "127.0.0.1", "path": "/"}
            for name in ("civ_session", "civ_csrf")
        ]
    )
    page = web.open(f"/app/activities/{activity.id}")
    expect(page.locator(".detail-title")).to_have_text("社区读书会")
    expect(page.get_by_role("link", name="登录后报名")).to_be_visible()
    assert "civ_csrf" not in page.evaluate("document.cookie")


def test_a_refused_sign_up_shows_the_api_message(
    web, client, activity_on, tomorrow, create_user, auth_headers
):
    user = create_user()
    sign_up(user, activity_on(tomorrow, title="上午的义诊").id)
    overlapping = activity_on(tomorrow, start_hour=10, title="同一时段的宣讲")
    refused = client.post(
        f"/api/v1/activities/{overlapping.id}/signups", headers=auth_headers(user)
    )
    assert refused.get_json()["error"] == "time_conflict"
    web.sign_in(user)
    page = web.open(f"/app/activities/{overlapping.id}")
    page.get_by_role("button", name="我要报名").click()
    expect(page.locator(".signup-box .inline-error")).to_have_text(refused.get_json()["message"])
    web.shot("activity-signup-refused")


def test_a_volunteers_only_activity_asks_residents_to_register(
    web, activity_on, tomorrow, create_user
):
    activity = activity_on(tomorrow, title="志愿者培训", audience="volunteers")
    web.sign_in(create_user())
    page = web.open(f"/app/activities/{activity.id}")
    expect(page.locator(".signup-box")).to_contain_text("本活动仅限注册志愿者报名")
    page.get_by_role("link", name="注册志愿者").click()
    expect(page.get_by_role("button", name="注册志愿者")).to_be_visible()
