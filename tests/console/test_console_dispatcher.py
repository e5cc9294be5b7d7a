"""A dispatcher in the console enters a request taken by the hotline, dispatches it to a
team, and sees it move when the team accepts it (through the API, as a responder)."""

import sqlalchemy as sa
from playwright.sync_api import expect

from api.extensions import db
from api.help.models import HelpResponder
from api.units.models import Team

PASSWORD = "dispatcher pass 1"


def test_dispatcher_enters_a_hotline_call_dispatches_it_and_sees_it_accepted(
    console, create_user, corpus_units, client, auth_headers
):
    create_user("jl-dispatch", password=PASSWORD, roles=[("unit_admin", "LY-JL")])
    team = db.session.scalar(sa.select(Team).where(Team.code == "T-JL-02"))
    responder = create_user()
    db.session.add(HelpResponder(team_id=team.id, user_id=responder.id))
    db.session.commit()

    browsing = console()
    browsing.sign_in("jl-dispatch", PASSWORD)
    page = browsing.open("/admin/hotline")
    page.get_by_label("来电人姓名").fill("陈桂兰")
    page.get_by_label("联系电话").fill("0395-8871234")
    page.get_by_label("所在地").select_option(str(corpus_units["LY-JL-YFC"].id))
    page.get_by_label("详细地址").fill("油坊陈村3组12号")
    page.get_by_label("服务类别").select_option("卫生环保")
    page.get_by_label("求助内容").fill("家门口排水沟堵塞，雨天积水，老人行动不便")
    page.get_by_role("button", name="登记求助").click()
    notice = page.locator(".notice")
    expect(notice).to_contain_text("已登记求助")
    request_id = int(notice.inner_text().split("#")[1].split("（")[0])

    notice.get_by_role("link", name="去派单看板").click()
    row = page.locator("tr", has_text=f"#{request_id}")
    expect(row).to_contain_text("热线")
    expect(row).to_contain_text("陈桂兰 0395-8871234")
    row.get_by_label("派单：志愿服务队").select_option(str(team.id))
    row.get_by_role("button", name="派单", exact=True).click()
    expect(page.locator("tr", has_text=f"#{request_id}")).to_have_count(0)

    page.get_by_role("link", name="已派单（1）").click()
    expect(page.locator("tr", has_text=f"#{request_id}")).to_contain_text(team.name)
    accepted = client.post(
        f"/api/v1/help-requests/{request_id}/accept", headers=auth_headers(responder)
    )
    assert accepted.status_code == 200, accepted.get_json()

    page.get_by_role("button", name="刷新").click()
    expect(page.locator("tr", has_text=f"#{request_id}")).to_have_count(0)
    expect(page.get_by_role("link", name="已接单（1）")).to_be_visible()
    page.get_by_role("link", name="已接单（1）").click()
    expect(page.locator("tr", has_text=f"#{request_id}")).to_contain_text("已接单")
