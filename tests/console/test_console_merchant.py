"""The caring merchant's screens in a browser: a redemption code confirmed once, a second
confirmation refused with a clear message; rewards and their stock."""

from datetime import timedelta

from playwright.sync_api import expect

from api.accounts.services import register_volunteer
from api.extensions import db
from api.hours.models import RecordStatus, ServiceRecord
from api.points import account as points_account
from api.points import merchants, redemptions
from api.timeutil import utcnow

PASSWORD = "merchant-pass-1"


def _shop_with_a_redemption(create_user, corpus_units) -> str:
    """A merchant of 巨陵镇 run by ``shop1``, two rewards, and a volunteer's pending code."""
    admin = create_user("jl-admin", roles=[("unit_admin", "LY-JL")])
    owner = create_user("shop1", password=PASSWORD, roles=[("merchant_admin", "LY-JL")])
    merchant = merchants.create_merchant(
        admin,
        {
            "name": "巨陵镇爱心超市",
            "unit_id": corpus_units["LY-JL"].id,
            "admin_id": owner.id,
            "address": "巨陵大街 18 号",
            "phone": "0395-8866001",
            "description": "",
        },
    )
    soap = merchants.create_reward(
        owner,
        merchant.id,
        {"name": "洗衣液一瓶", "description": "", "points_cost": 30, "stock": 5, "is_active": True},
    )
    merchants.create_reward(
        owner,
        merchant.id,
        {"name": "理发一次", "description": "", "points_cost": 50, "stock": 0, "is_active": True},
    )
    volunteer = create_user()
    register_volunteer(
        volunteer, real_name="王小红", phone="13700001000", unit_id=corpus_units["LY-JL"].id
    )
    now = utcnow()
    db.session.add(
        ServiceRecord(
            user_id=volunteer.id,
            unit_id=corpus_units["LY-JL"].id,
            credited_minutes=300,
            source="checkin",
            status=RecordStatus.APPROVED,
            category="卫生环保",
            served_at=now - timedelta(days=1),
            reviewed_at=now,
        )
    )
    db.session.commit()
    points_account.sync_all()
    return redemptions.redeem(volunteer, soap.id).code


def test_a_merchant_confirms_a_code_once(console, create_user, corpus_units):
    code = _shop_with_a_redemption(create_user, corpus_units)
    browsing = console()
    browsing.sign_in("shop1", PASSWORD)
    page = browsing.open("/admin/redeem")
    expect(page.get_by_role("cell", name="待核销")).to_be_visible()
    assert browsing.axe_violations() == []
    browsing.shot("merchant-redeem")

    page.get_by_label("兑换码").fill(code.lower())
    page.get_by_role("button", name="核销", exact=True).click()
    expect(page.get_by_text("核销成功：洗衣液一瓶（30 积分）")).to_be_visible()
    expect(page.get_by_role("cell", name="已核销")).to_be_visible()

    page.get_by_label("兑换码").fill(code)
    page.get_by_role("button", name="核销", exact=True).click()
    refusal = page.locator(".form-error")
    expect(refusal).to_contain_text("该兑换码已于")
    expect(refusal).to_contain_text("核销，不能重复兑换")
    expect(page.get_by_text("核销成功")).to_have_count(0)

    page.get_by_label("兑换码").fill("NOSUCHCODE22")
    page.get_by_role("button", name="核销", exact=True).click()
    expect(refusal).to_contain_text("兑换码无效")

    # At the counter the merchant holds a phone.
    phone = console(phone=True)
    phone.sign_in("shop1", PASSWORD)
    phone.open("/admin/redeem")
    expect(phone.page.get_by_label("兑换码")).to_be_visible()
    assert phone.axe_violations() == []
    phone.shot("merchant-redeem-phone")


def test_a_merchant_restocks_and_withdraws_rewards(console, create_user, corpus_units):
    _shop_with_a_redemption(create_user, corpus_units)
    browsing = console()
    browsing.sign_in("shop1", PASSWORD)
    page = browsing.open("/admin/rewards")
    haircut = page.get_by_role("row").filter(has_text="理发一次")
    expect(haircut).to_contain_text("已兑完")
    assert browsing.axe_violations() == []
    browsing.shot("merchant-rewards")

    haircut.get_by_role("spinbutton").fill("3")
    haircut.get_by_role("button", name="调整").click()
    expect(page.get_by_role("row").filter(has_text="理发一次")).to_contain_text("3")
    soap = page.get_by_role("row").filter(has_text="洗衣液一瓶")
    soap.get_by_role("spinbutton").fill("-9")
    soap.get_by_role("button", name="调整").click()
    expect(soap.locator(".form-error")).to_contain_text("库存不能小于零")

    page.get_by_role("row").filter(has_text="洗衣液一瓶").get_by_role("button", name="下架").click()
    expect(page.get_by_role("row").filter(has_text="洗衣液一瓶")).to_contain_text("已下架")
