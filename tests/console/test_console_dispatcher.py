"""A dispatcher in the console enters a request taken by the hotline, dispatches it to a
team, and sees it move when the team accepts it (through the API, as a responder); a
township routes a request down to a station, which claims it for itself."""

from types import SimpleNamespace

import pytest
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


# --- route down to a station, and the station's claim -----------------------------------------

STATION_PASSWORD = "station pass 1"
CALL = {
    "channel": "hotline",
    "category": "卫生环保",
    "description": "家门口排水沟堵塞，雨天积水，老人行动不便",
    "address": "油坊陈村3组12号",
    "contact_name": "陈桂兰",
    "phone": "0395-8871234",
}


@pytest.fixture
def routing(create_user, corpus_units, client, auth_headers, frozen_clock, morning):
    """The township's dispatcher, a station admin below it, and a hotline call waiting at the
    township (entered at the frozen morning); ``routing.move(who, action, **body)`` makes a
    move through the API."""
    frozen_clock(morning)
    township = create_user("jl-dispatch", password=PASSWORD, roles=[("unit_admin", "LY-JL")])
    station = create_user(
        "yfc-admin", password=STATION_PASSWORD, roles=[("unit_admin", "LY-JL-YFC")]
    )
    created = client.post(
        "/api/v1/help-requests",
        headers=auth_headers(township),
        json={**CALL, "unit_id": corpus_units["LY-JL"].id},
    )
    assert created.status_code == 201, created.get_json()

    def move(user, action, **body):
        moved = client.post(
            f"/api/v1/help-requests/{created.get_json()['id']}/{action}",
            headers=auth_headers(user),
            json=body,
        )
        assert moved.status_code == 200, moved.get_json()
        return moved.get_json()

    return SimpleNamespace(
        township=township, station=station, request_id=created.get_json()["id"], move=move
    )


def _board(console, username, password):
    browsing = console()
    browsing.page.on("dialog", lambda dialog: pytest.fail(f"a pop-up: {dialog.message}"))
    browsing.sign_in(username, password)
    browsing.open("/admin/dispatch")
    return browsing


def test_a_township_routes_a_request_to_a_station_which_claims_it(console, routing, corpus_units):
    station_unit = corpus_units["LY-JL-YFC"]
    township = _board(console, "jl-dispatch", PASSWORD)
    page = township.page
    row = page.locator("tr", has_text=f"#{routing.request_id}")
    expect(row).to_contain_text("巨陵镇")
    picker = row.get_by_label("转派到：单位")
    # The township's own unit is where the request is: not a choice.
    assert str(corpus_units["LY-JL"].id) not in picker.locator("option").evaluate_all(
        "(options) => options.map((option) => option.value)"
    )
    picker.select_option(str(station_unit.id))
    row.get_by_role("button", name="转派", exact=True).click()

    notice = page.get_by_role("status").filter(has_text="已转派到")
    expect(notice).to_have_text(f"求助 #{routing.request_id}：已转派到 巨陵镇油坊陈村")
    row = page.locator("tr", has_text=f"#{routing.request_id}")
    expect(row.locator("td[data-label='所在地']")).to_have_text("巨陵镇油坊陈村")
    expect(row.get_by_role("button", name="认领")).to_be_visible()
    assert township.axe_violations() == []

    station = _board(console, "yfc-admin", STATION_PASSWORD)
    page = station.page
    row = page.locator("tr", has_text=f"#{routing.request_id}")
    row.get_by_role("button", name="认领").click()
    expect(page.locator(".board-notice")).to_have_text(
        f"求助 #{routing.request_id}：已认领，由巨陵镇油坊陈村自行承办"
    )
    expect(page.locator("tr", has_text=f"#{routing.request_id}")).to_have_count(0)
    page.get_by_role("link", name="已接单（1）").click()
    row = page.locator("tr", has_text=f"#{routing.request_id}")
    expect(row).to_contain_text("已接单")
    expect(row).to_contain_text("巨陵镇油坊陈村认领自办")


def test_a_station_gets_no_route_control(console, routing, corpus_units):
    routing.move(routing.township, "route", unit_id=corpus_units["LY-JL-YFC"].id)

    station = _board(console, "yfc-admin", STATION_PASSWORD)
    row = station.page.locator("tr", has_text=f"#{routing.request_id}")
    expect(row.get_by_role("button", name="认领")).to_be_visible()
    # A station has no unit below it to route to: no picker, no button.
    expect(row.get_by_label("转派到：单位")).to_have_count(0)
    expect(row.get_by_role("button", name="转派", exact=True)).to_have_count(0)
    expect(row.get_by_label("派单：志愿服务队")).to_be_visible()


def test_a_move_the_server_refuses_shows_its_message_in_the_row(console, routing, corpus_units):
    routing.move(routing.township, "route", unit_id=corpus_units["LY-JL-YFC"].id)
    township = _board(console, "jl-dispatch", PASSWORD)
    station = _board(console, "yfc-admin", STATION_PASSWORD)
    # Both boards show the request; the station claims it first, through the API.
    expect(station.page.locator("tr", has_text=f"#{routing.request_id}")).to_have_count(1)
    routing.move(routing.station, "claim")

    row = township.page.locator("tr", has_text=f"#{routing.request_id}")
    row.get_by_label("转派到：单位").select_option(str(corpus_units["LY-JL-JLC"].id))
    row.get_by_role("button", name="转派", exact=True).click()
    expect(row.get_by_role("alert")).to_have_text("求助当前为“已接单”，不能转派到下级")
    expect(township.page.locator(".board-notice")).to_have_text("")

    # The township routes it elsewhere meanwhile: the station's claim is refused (403).
    routing.move(routing.township, "requeue", reason="站里人手不够，重新安排")
    routing.move(routing.township, "route", unit_id=corpus_units["LY-JL-JLC"].id)
    row = station.page.locator("tr", has_text=f"#{routing.request_id}")
    row.get_by_role("button", name="认领").click()
    expect(row.get_by_role("alert")).to_have_text("您无权对该求助执行此操作")
