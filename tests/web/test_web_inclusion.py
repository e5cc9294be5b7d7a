"""长辈版, the hotline, 已签退 and the web sign-in with WeChat, in the browser."""

import pytest
from sqlalchemy import func, select

from api.accounts.models import User
from api.extensions import db
from api.signups.models import Attendance
from api.signups.services import sign_up

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright").expect


@pytest.fixture
def county_hotline(make_app):
    """A hotline number from the configuration (the app made before ``app``)."""
    make_app(HELP_HOTLINE="0395-1234567")
    return "0395-1234567"


def _mode(page) -> str | None:
    return page.evaluate("document.documentElement.dataset.mode || null")


def test_the_elder_switch_on_the_home_page_is_remembered_and_shown_in_me(
    web, activity_on, tomorrow
):
    activity_on(tomorrow, title="重阳敬老包饺子")
    page = web.open("/app/")
    switch = page.locator("[data-mode-switch]")
    expect(switch).to_have_attribute("aria-pressed", "false")
    body_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_size < 18

    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "true")
    assert _mode(page) == "elder"
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18
    # The month becomes large day buttons: the day of the activity is one of them.
    day = page.locator(f'.day-list [data-date="{tomorrow.isoformat()}"]')
    expect(day).to_contain_text("1 个活动")
    assert day.bounding_box()["height"] >= 60

    page.reload()
    assert _mode(page) == "elder"
    page.get_by_role("link", name="我的").click()
    me_switch = page.locator("[data-mode-switch]")
    expect(me_switch).to_have_attribute("aria-pressed", "true")
    me_switch.click()
    assert _mode(page) is None
    page.reload()
    assert _mode(page) is None


def test_the_hotline_is_a_tel_link_on_help_and_check_in(county_hotline, web):
    for path in ("/app/help", "/app/checkin", "/app/checkin?activity=1&token=x.y.z"):
        page = web.open(path)
        link = page.locator("a.hotline")
        expect(link).to_have_attribute("href", "tel:03951234567")
        expect(link).to_contain_text(county_hotline)


def test_my_signups_say_checked_out_after_check_out(web, create_user, activity_on, tomorrow):
    user = create_user()
    activity = activity_on(tomorrow, title="文明交通劝导")
    signup = sign_up(user, activity.id)
    signup.status = "attended"
    db.session.add(
        Attendance(
            signup_id=signup.id, checked_in_at=activity.starts_at, checked_out_at=activity.ends_at
        )
    )
    db.session.commit()
    web.sign_in(user)
    page = web.open("/app/me#signups")
    expect(page.locator(f'[data-activity-id="{activity.id}"] [data-status]')).to_have_text("已签退")


def test_a_resident_signs_in_on_the_web_with_wechat_as_in_the_mini_program(
    web, client, wechat_stub
):
    mini = client.post("/api/v1/auth/wechat", json={"code": "demo-volunteer"}).get_json()
    wechat_stub.oauth_person = "demo-volunteer"
    try:
        page = web.open("/app/login?next=/app/help")
        page.get_by_role("link", name="微信登录").click()
        expect(page).to_have_url(f"{web.base_url}/app/help")
    finally:
        wechat_stub.oauth_person = "demo-resident"
    page.get_by_role("link", name="我的").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()  # signed in
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == 1  # one person
    assert db.session.get(User, mini["user"]["id"]).oa_openid is not None
