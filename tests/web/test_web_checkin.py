"""签到 in the browser: the organizer's rotating QR code and the volunteer's check-in page."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from api.extensions import db
from api.signups.models import Attendance
from api.signups.services import sign_up
from api.timeutil import utcnow

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright").expect
VENUE = {"latitude": 33.7712, "longitude": 113.9891}  # create_activity's venue


@pytest.fixture
def short_checkin_codes(make_app):
    """Check-in codes valid for 3 s (the app made before ``app``), so the screen rotates
    quickly."""
    make_app(CHECKIN_TOKEN_TTL_SECONDS=3)


@pytest.fixture
def running(create_activity):
    """An activity that started ten minutes ago at the 巨陵镇 venue (fenced at 500 m)."""
    starts_at = utcnow().replace(microsecond=0) - timedelta(minutes=10)
    return create_activity(
        title="志愿者集中清扫",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        signup_closes_at=starts_at + timedelta(hours=2),
        geofence_metres=500,
    )


@pytest.fixture
def organizer(create_user, corpus_units):
    return create_user("jl-admin", roles=[("unit_admin", "LY-JL")])


def _decode_qr(png: bytes) -> str:
    zxingcpp = pytest.importorskip("zxingcpp")
    image_module = pytest.importorskip("PIL.Image")
    found = zxingcpp.read_barcodes(image_module.open(io.BytesIO(png)))
    assert len(found) == 1
    return found[0].text


def test_the_organizer_screen_replaces_the_code_before_it_expires(
    short_checkin_codes, browse, organizer, running
):
    web = browse()
    web.sign_in(organizer)
    page = web.open(f"/app/checkin/screen?activity={running.id}")
    image = page.locator("img.qr-image")
    expect(image).to_have_attribute("data-token", re.compile(r"\S"))
    first = image.get_attribute("data-token")
    expect(page.locator(".countdown")).to_contain_text("秒内有效")
    # Valid 3 s, replaced a second before: a new code within about 2 s.
    page.wait_for_function(
        f"() => document.querySelector('img.qr-image').dataset.token !== {first!r}", timeout=5000
    )
    assert not page.locator(".inline-error").is_visible()


def test_a_volunteer_scans_the_screen_and_checks_in_then_out(
    browse, organizer, running, create_user
):
    volunteer = create_user()
    sign_up(volunteer, running.id)
    screen = browse()
    screen.sign_in(organizer)
    page = screen.open(f"/app/checkin/screen?activity={running.id}")
    link = page.locator("a.checkin-link")
    expect(link).to_have_attribute("href", re.compile(r"/app/checkin\?activity=\d+&token="))
    expect(page.locator(".roster-counts")).to_have_text("已签到 0 人 / 已报名 1 人")
    expect(page.locator("img.qr-image")).to_have_js_property("complete", True)
    screen.shot("checkin-screen")
    scanned = _decode_qr(page.locator("img.qr-image").screenshot())
    assert scanned == link.get_attribute("href")

    phone = browse(geolocation=VENUE, permissions=["geolocation"])
    phone.sign_in(volunteer)
    assert scanned.startswith(phone.base_url + "/app/checkin?")
    phone_page = phone.page
    phone_page.goto(scanned)
    expect(phone_page.locator("[data-result]")).to_have_attribute("data-result", "ok")
    expect(phone_page.locator(".detail-title")).to_have_text("签到成功")
    phone.shot("checkin-volunteer")
    db.session.expire_all()
    attendance = db.session.scalar(select(Attendance))
    assert attendance is not None and attendance.method == "qr"

    phone_page.get_by_role("button", name="签退").click()
    expect(phone_page.locator(".detail-title")).to_have_text("签退成功")
    expect(phone_page.locator(".checkin-result")).to_contain_text("本次记录服务时长 0 小时")
    page.reload()  # rather than wait for the screen's next roster poll
    expect(page.locator(".roster-counts")).to_have_text("已签到 1 人 / 已报名 1 人")


def test_the_check_in_page_shows_why_a_code_is_refused(browse, running, create_user):
    web = browse(geolocation=VENUE, permissions=["geolocation"])
    user = create_user()
    sign_up(user, running.id)
    page = web.open(f"/app/checkin?activity={running.id}&token=not-a-real-code")
    expect(page.locator(".state-signed-out")).to_contain_text("登录后签到")

    web.sign_in(user)
    page.reload()
    expect(page.locator("[data-result]")).to_have_attribute("data-result", "error")
    expect(page.locator(".checkin-result .inline-error")).to_have_text(
        "签到码无效，请扫描现场的签到码"
    )
    web.shot("checkin-refused")


def test_the_check_in_page_without_a_code_explains_what_to_do(web):
    page = web.open("/app/checkin")
    expect(page.locator(".card")).to_contain_text("请用手机扫描活动现场组织者出示的签到二维码")


def test_only_organizers_in_scope_get_a_screen(web, running, create_user):
    web.sign_in(create_user())
    page = web.open(f"/app/checkin/screen?activity={running.id}")
    expect(page.locator(".inline-error")).to_be_visible()
    expect(page.locator("img.qr-image")).to_be_hidden()


def test_an_organizer_picks_the_running_activity_from_my_page(
    web, organizer, running, activity_on, tomorrow
):
    activity_on(tomorrow + timedelta(days=3), title="下周的活动")
    web.sign_in(organizer)
    page = web.open("/app/me")
    page.get_by_role("link", name="显示签到码").click()
    choices = page.locator(".activity-card")
    expect(choices).to_have_count(1)
    expect(choices).to_contain_text("志愿者集中清扫")
    web.shot("checkin-screen-pick")
    choices.click()
    expect(page.locator("img.qr-image")).to_have_attribute("data-token", re.compile(r"\S"))
