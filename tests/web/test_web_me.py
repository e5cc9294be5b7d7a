"""我的 in the browser: sign-in, my hours with the star level, certificates, calendar feed."""

import re
import time
from datetime import timedelta

import pytest

from api.accounts.services import register_volunteer
from api.extensions import db
from api.hours.models import ServiceRecord
from api.signups.services import sign_up
from api.timeutil import utcnow

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright").expect


@pytest.fixture
def low_star_thresholds(make_app):
    """Stars at 10/20/30/40/50 h, so a few records reach the first one (before ``app``)."""
    make_app(STAR_THRESHOLDS_HOURS=(10, 20, 30, 40, 50))


@pytest.fixture
def volunteer_with_records(create_user, create_activity, corpus_units):
    """A volunteer of 巨陵镇 with approved, pending and rejected records."""
    user = create_user()
    register_volunteer(
        user, real_name="李志愿", phone="13900001234", unit_id=corpus_units["LY-JL"].id
    )
    records = [
        ("义诊进乡村", 600, "approved", ""),
        ("文明交通劝导", 135, "approved", ""),
        ("敬老院包饺子", 120, "pending", ""),
        ("环境整治", 60, "rejected", "未签退"),
    ]
    for days_ago, (title, minutes, status, note) in enumerate(records, start=3):
        starts_at = utcnow().replace(microsecond=0) - timedelta(days=days_ago)
        activity = create_activity(
            title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=10)
        )
        db.session.add(
            ServiceRecord(
                user_id=user.id,
                activity_id=activity.id,
                unit_id=activity.unit_id,
                credited_minutes=minutes,
                source="checkin",
                status=status,
                review_note=note,
            )
        )
    db.session.commit()
    return user


def test_signed_out_me_offers_the_sign_in(web):
    page = web.open("/app/me")
    expect(page.locator(".notice")).to_have_text("登录后查看我的报名、服务时长和证明。")
    expect(page.get_by_role("button", name="演示登录（志愿者）")).to_be_visible()
    web.shot("me-signed-out")


def _session_cookies(web) -> dict:
    return {
        cookie["name"]: cookie
        for cookie in web.context.cookies()
        if cookie["name"].startswith("civ_")
    }


def test_staff_sign_in_by_password(web, client, create_user, corpus_units):
    create_user("jl-staff", password="correct-horse-7", roles=[("unit_admin", "LY-JL")])
    page = web.open("/app/me")
    page.get_by_label("用户名").fill("jl-staff")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="工作人员登录").click()
    expect(page.locator(".staff-login + .inline-error")).to_be_visible()
    assert _session_cookies(web) == {}

    page.get_by_label("密码").fill("correct-horse-7")
    page.get_by_role("button", name="工作人员登录").click()
    expect(page.locator(".profile")).to_contain_text("阵地管理员")
    # The token is an HttpOnly cookie: nothing the page's script can read holds it.
    session = _session_cookies(web)["civ_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    assert session["value"] not in page.evaluate("document.cookie + JSON.stringify(localStorage)")
    assert (
        client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {session['value']}"}
        ).status_code
        == 200
    )

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("button", name="工作人员登录")).to_be_visible()
    page.wait_for_function("() => !document.cookie.includes('civ_csrf')")
    for _ in range(80):  # the sign-out request's answer deletes the HttpOnly cookies
        if "civ_session" not in _session_cookies(web):
            break
        page.wait_for_timeout(100)
    assert "civ_session" not in _session_cookies(web)
    assert (
        client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {session['value']}"}
        ).status_code
        == 401
    )


@pytest.fixture
def one_second_tokens(make_app):
    make_app(TOKEN_TTL_SECONDS=1)


def test_an_expired_access_token_is_renewed_with_the_refresh_cookie(
    one_second_tokens, web, create_user
):
    web.sign_in(create_user("renewed", roles=[]))
    time.sleep(2.1)  # itsdangerous counts whole seconds: expired once 2 s old
    page = web.open("/app/me")
    expect(page.locator(".profile")).to_be_visible()
    refreshes = [
        request for request in web.traffic.requests if "/api/v1/auth/refresh" in request.url
    ]
    assert refreshes, "the page renewed its session"


def test_demo_volunteer_signs_in_through_the_wechat_stub(web):
    page = web.open("/app/login?next=/app/me%23hours")
    page.get_by_role("button", name="演示登录（志愿者）").click()
    expect(page).to_have_url(re.compile(r"/app/me#hours$"))
    expect(page.locator(".profile")).to_be_visible()
    expect(page.get_by_role("tab", name="服务时长")).to_have_attribute("aria-selected", "true")


def test_my_hours_show_the_star_level_progress_and_records(
    low_star_thresholds, web, client, auth_headers, volunteer_with_records
):
    mine = client.get("/api/v1/me/hours", headers=auth_headers(volunteer_with_records)).get_json()
    assert (mine["total_hours"], mine["star"]["level"]) == (12.25, 1)
    web.sign_in(volunteer_with_records)
    page = web.open("/app/me#hours")

    expect(page.locator(".hours-total")).to_have_text("12.25小时")
    expect(page.locator(".star-level")).to_have_text("1 星志愿者")
    expect(page.locator(".stars .on")).to_have_count(1)
    expect(page.locator(".hours-hero")).to_contain_text(
        f"距 2 星（20 小时）还差 {mine['star']['hours_to_next']:g} 小时"
    )
    expect(page.locator(".stat-grid")).to_contain_text("2小时待审核")
    records = page.locator(".records .record")
    expect(records).to_have_count(4)
    expect(records.filter(has_text="环境整治")).to_contain_text("已驳回")
    expect(records.filter(has_text="环境整治")).to_contain_text("说明：未签退")
    expect(records.filter(has_text="义诊进乡村")).to_contain_text("10 小时")
    expect(page.locator(".chart")).to_be_visible()
    web.shot("me-hours")


def test_a_certificate_is_issued_and_downloaded_as_pdf(web, volunteer_with_records):
    web.sign_in(volunteer_with_records)
    page = web.open("/app/me#hours")
    expect(page.locator(".certificates")).to_contain_text("还没有开具过证明")
    page.get_by_role("button", name="开具新的证明").click()
    certificate = page.locator(".certificate")
    expect(certificate).to_have_count(1)
    expect(certificate).to_contain_text("12.25 小时")
    with page.expect_download() as download:
        certificate.get_by_role("button", name="下载 PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert download.value.path().read_bytes().startswith(b"%PDF")
    page.locator(".certificates").scroll_into_view_if_needed()
    web.shot("me-certificates")


def test_a_resident_without_approved_hours_sees_why_no_certificate(web, create_user):
    web.sign_in(create_user())
    page = web.open("/app/me#hours")
    expect(page.locator(".notice")).to_contain_text("您还不是注册志愿者")
    expect(page.locator(".records")).to_contain_text("暂无服务记录")
    page.get_by_role("button", name="开具新的证明").click()
    expect(page.locator(".certificates .inline-error")).to_be_visible()
    assert page.locator(".certificates .inline-error").inner_text().strip()


def test_my_calendar_feed_link_serves_my_sign_ups(web, client, create_user, activity_on, tomorrow):
    user = create_user()
    activity = activity_on(tomorrow, title="冬至包饺子")
    sign_up(user, activity.id)
    web.sign_in(user)
    page = web.open("/app/me")
    page.get_by_role("tab", name="日历订阅").click()
    page.get_by_role("button", name="生成订阅地址").click()
    url = page.locator(".feed-url").inner_text()
    assert re.search(r"/api/v1/me/calendar\.ics\?token=\S+$", url)
    expect(page.get_by_role("link", name="在日历应用中订阅")).to_have_attribute(
        "href", re.compile(r"^webcal://")
    )
    web.shot("me-calendar-feed")

    path = url.split("127.0.0.1", 1)[1].split("/", 1)[1]
    feed = client.get("/" + path)
    assert feed.status_code == 200
    assert "冬至包饺子" in feed.get_data(as_text=True)


def test_a_resident_registers_as_a_volunteer(web, create_user, corpus_units):
    user = create_user()
    web.sign_in(user)
    page = web.open("/app/me#hours")
    page.get_by_role("button", name="注册志愿者").click()
    form = page.locator(".volunteer-form")
    form.get_by_label("真实姓名").fill("王小明")
    form.get_by_label("手机号").fill("1380013800")
    form.get_by_label("所属镇街").select_option(label="巨陵镇")
    expect(form.get_by_label("村 / 社区")).to_be_enabled()
    form.get_by_label("村 / 社区").select_option(index=1)
    form.get_by_role("button", name="提交注册").click()
    expect(form.locator('[data-field="phone"] .field-error')).to_be_visible()
    web.shot("me-register-volunteer")

    form.get_by_label("手机号").fill("13800138001")
    form.get_by_role("button", name="提交注册").click()
    expect(page.locator(".profile")).to_contain_text("志愿者")
    expect(page.locator(".profile")).to_contain_text("王小明")
    expect(page.locator(".volunteer-form")).to_have_count(0)
    db.session.expire_all()
    assert db.session.get(type(user), user.id).volunteer.unit.parent_id == corpus_units["LY-JL"].id
