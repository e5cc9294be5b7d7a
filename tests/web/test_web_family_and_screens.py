"""家庭成员, 爱心积分, 消息, 服务时长查询 and the certificate verification page in the browser."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from api.accounts.services import register_volunteer
from api.extensions import db
from api.families.models import FamilyMember
from api.hours.certificates import issue_certificate
from api.hours.models import ServiceRecord
from api.points.models import Merchant, Reward
from api.signups.models import Signup
from api.signups.services import sign_up
from api.timeutil import utcnow

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright").expect


@pytest.fixture
def volunteer_with_hours(create_user, create_activity, corpus_units):
    """A volunteer of 巨陵镇 (ID number ending 1236) with 3 approved hours."""
    user = create_user()
    register_volunteer(
        user,
        real_name="李志愿",
        phone="13900001234",
        unit_id=corpus_units["LY-JL"].id,
        id_number="411122201505051236",
    )
    starts_at = utcnow().replace(microsecond=0) - timedelta(days=3)
    past = create_activity(
        title="义诊进乡村", starts_at=starts_at, ends_at=starts_at + timedelta(hours=4)
    )
    db.session.add(
        ServiceRecord(
            user_id=user.id,
            activity_id=past.id,
            unit_id=past.unit_id,
            credited_minutes=180,
            source="checkin",
            status="approved",
            reviewed_at=utcnow(),
        )
    )
    db.session.commit()
    return user


def test_a_guardian_adds_a_child_signs_it_up_and_withdraws_consent(
    web, create_user, activity_on, tomorrow
):
    activity = activity_on(tomorrow, title="放学娃之家手工课")
    guardian = create_user()
    web.sign_in(guardian)
    page = web.open("/app/family")
    page.get_by_role("button", name="添加家庭成员").click()
    form = page.locator(".member-form")
    form.get_by_label("孩子姓名").fill("王小明")
    form.get_by_label("出生日期").fill("2018-03-01")
    form.get_by_role("button", name="同意并添加").click()
    expect(form.locator(".consent .inline-error")).to_have_text("请阅读并勾选同意")
    form.get_by_label(re.compile("我是监护人")).check()
    form.get_by_role("button", name="同意并添加").click()
    member = page.locator(".family-member")
    expect(member.locator(".card-title")).to_have_text("王小明（子女）")
    expect(member.locator("[data-consent]")).to_contain_text("同意书版本")
    web.shot("family")

    page.goto(f"{web.base_url}/app/activities/{activity.id}")
    page.get_by_role("button", name="为 王小明 报名").click()
    expect(page.locator("[data-family-signup]")).to_have_text(
        "王小明：报名成功，已同时为您报名陪同"
    )  # under 10: the guardian comes too
    db.session.expire_all()
    child_id = db.session.scalar(select(FamilyMember.child_id))
    assert set(db.session.scalars(select(Signup.user_id))) == {child_id, guardian.id}

    page.goto(f"{web.base_url}/app/family")
    expect(member.locator(".signup-status, [data-status]").first).to_have_text("已报名")
    member.get_by_role("button", name="撤回同意").click()
    member.get_by_role("button", name="确定撤回").click()
    expect(page.locator(".family-member .card-title")).to_have_text("子女（已撤回同意）")
    expect(page.locator("main")).not_to_contain_text("王小明")
    db.session.expire_all()
    assert db.session.scalar(select(Signup.status).where(Signup.user_id == child_id)) == "cancelled"


def test_points_redeem_a_reward_and_show_its_qr_code(
    web, volunteer_with_hours, create_user, corpus_units
):
    merchant = Merchant(
        name="巨陵镇爱心超市",
        unit_id=corpus_units["LY-JL"].id,
        admin_id=create_user().id,
        address="巨陵大街 18 号",
        phone="0395-8866001",
        description="",
    )
    db.session.add(merchant)
    db.session.flush()
    db.session.add(
        Reward(merchant_id=merchant.id, name="洗衣液一瓶", points_cost=20, stock=2, description="")
    )
    db.session.commit()
    web.sign_in(volunteer_with_hours)
    page = web.open("/app/points")
    expect(page.locator("[data-balance]")).to_have_text("30")  # 3 h × 10
    reward = page.locator(".reward", has_text="洗衣液一瓶")
    reward.get_by_role("button", name="20 积分兑换").click()
    reward.get_by_role("button", name="确定兑换").click()
    expect(page.locator("[data-balance]")).to_have_text("10")
    code = page.locator(".redemption .redeem-code")
    expect(code).to_have_text(re.compile(r"\S{6,}"))
    page.get_by_role("button", name="出示二维码").click()
    expect(page.locator("img.redeem-qr")).to_have_js_property("complete", True)
    assert page.locator("img.redeem-qr").evaluate("(img) => img.naturalWidth") > 0
    web.shot("points")


def test_the_inbox_lists_my_notifications(web, create_user, activity_on, tomorrow):
    user = create_user()
    activity = activity_on(tomorrow, title="重阳敬老包饺子")
    sign_up(user, activity.id)
    web.sign_in(user)
    page = web.open("/app/inbox")
    item = page.locator(".inbox-item")
    expect(item).to_have_count(1)
    expect(item.locator(".card-title")).to_have_text("报名成功：重阳敬老包饺子")
    expect(item.get_by_role("link", name="查看活动")).to_have_attribute(
        "href", f"/app/activities/{activity.id}"
    )


def test_the_public_lookup_posts_the_digits_and_shows_a_masked_name(web, volunteer_with_hours):
    page = web.open("/app/lookup")
    page.get_by_label("姓名").fill("李志愿")
    page.get_by_role("textbox", name="后四位").fill("1236")
    with page.expect_request(re.compile(r"/api/v1/hours/lookup$")) as sent:
        page.get_by_role("button", name="查询").click()
    assert sent.value.method == "POST" and "1236" not in sent.value.url
    result = page.locator("[data-found]")
    expect(result).to_contain_text("李*愿")
    expect(result).to_contain_text("3")
    expect(page.locator("main")).not_to_contain_text("李志愿")
    expect(page.locator("a.hotline")).to_be_visible()
    web.shot("lookup")


def test_the_certificate_qr_opens_a_readable_masked_verification_page(web, volunteer_with_hours):
    certificate = issue_certificate(volunteer_with_hours)
    response = web.page.goto(f"{web.base_url}/app/certificates/{certificate.code}")
    assert response.status == 200
    page = web.page
    expect(page.locator(".verification")).to_have_attribute("data-valid", "true")
    expect(page.locator(".verification")).to_contain_text("证明真实有效")
    expect(page.locator(".verification")).to_contain_text("李*愿")
    expect(page.locator(".verification")).to_contain_text("4111**********1236")
    expect(page.locator("main")).not_to_contain_text("李志愿")
    assert page.evaluate("document.scripts.length") == 1  # mode.js only: works without modules
    web.shot("certificate")

    missing = page.goto(f"{web.base_url}/app/certificates/AAAAAAAAAAAAAAAA")
    assert missing.status == 404
    expect(page.locator(".verification")).to_have_attribute("data-valid", "false")
