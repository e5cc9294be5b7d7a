"""我来帮 and 数据 in the browser (each skips where its API is not part of the app)."""

import re

import pytest
from sqlalchemy import select

from api.accounts.services import register_volunteer
from api.extensions import db
from api.units.models import Team

expect = pytest.importorskip("playwright.sync_api", reason="browser tests need Playwright").expect


def _require_api(app, path: str) -> None:
    if path not in {rule.rule for rule in app.url_map.iter_rules()}:
        pytest.skip(f"{path} is not part of this app")


@pytest.fixture
def help_api(app):
    _require_api(app, "/api/v1/help-requests")


@pytest.fixture
def stats_api(app):
    _require_api(app, "/api/v1/stats")


LEAKING_PIPE = "独居老人家中水管漏水，需要志愿者上门维修"


def _fill_help_form(form, phone: str, description: str = LEAKING_PIPE):
    form.get_by_label("需要哪类帮助").select_option("扶贫帮困")
    form.get_by_label("具体情况").fill(description)
    form.get_by_label("所在镇街").select_option(label="巨陵镇")
    form.get_by_label("详细地址").fill("临颍县巨陵镇油坊陈村3组12号")
    form.get_by_label("联系人").fill("王大爷")
    form.get_by_label("联系电话").fill(phone)


def _serve(client, headers_of, request_id: int, corpus_units, create_user):
    """A dispatcher of 巨陵镇 dispatches the request to a team whose responder takes it and
    completes it (through the API, as the mini-program would)."""
    admin = create_user("jl-dispatcher", roles=[("unit_admin", "LY-JL")])
    responder = create_user()
    register_volunteer(
        responder, real_name="赵志愿", phone="13900002222", unit_id=corpus_units["LY-JL"].id
    )
    team = db.session.scalar(
        select(Team).where(Team.unit_id == corpus_units["LY-JL"].id).order_by(Team.id)
    )
    steps = [
        (admin, "put", f"/api/v1/help-teams/{team.id}/responders", {"user_ids": [responder.id]}),
        (admin, "post", f"/api/v1/help-requests/{request_id}/dispatch", {"team_id": team.id}),
        (responder, "post", f"/api/v1/help-requests/{request_id}/accept", None),
        (
            responder,
            "post",
            f"/api/v1/help-requests/{request_id}/complete",
            {"report": "已上门更换水管", "volunteers": [{"user_id": responder.id, "minutes": 90}]},
        ),
    ]
    for actor, method, path, body in steps:
        response = getattr(client, method)(path, json=body, headers=headers_of(actor))
        assert response.status_code < 300, (path, response.get_json())


def test_a_resident_asks_for_help_follows_it_and_rates_it(
    help_api, web, client, auth_headers, create_user, corpus_units
):
    resident = create_user()
    web.sign_in(resident)
    page = web.open("/app/help")
    page.get_by_role("button", name="我要求助").click()
    form = page.locator(".help-form")
    _fill_help_form(form, phone="12345")
    form.get_by_role("button", name="提交求助").click()
    expect(form.locator('[data-field="phone"] .field-error')).to_be_visible()

    form.get_by_label("联系电话").fill("13812345678")
    form.get_by_role("button", name="提交求助").click()
    card = page.locator(".my-help .help-request")
    expect(card).to_have_count(1)
    expect(card.locator("[data-status]")).to_have_attribute("data-status", "submitted")
    expect(card).to_contain_text("临颍县巨陵镇油坊陈村3组12号")  # their own address, in full
    expect(page.locator(".board-list")).to_contain_text("巨陵镇 · 扶贫帮困")
    web.shot("help")

    request_id = int(card.get_attribute("data-request-id"))
    _serve(client, auth_headers, request_id, corpus_units, create_user)
    page.reload()
    expect(card.locator("[data-status]")).to_have_attribute("data-status", "completed")
    expect(card).to_contain_text("办结情况：已上门更换水管")
    card.get_by_role("button", name="4 星").click()
    card.get_by_label("评价").fill("师傅很热心")
    card.get_by_role("button", name="提交评价").click()
    expect(card.locator("[data-status]")).to_have_attribute("data-status", "rated")
    expect(card.locator(".rating-stars")).to_have_text("★★★★☆")
    expect(card.locator(".steps .is-done")).to_have_count(5)
    web.shot("help-rated")


def test_risky_text_is_refused_with_the_api_message(help_api, web, create_user, corpus_units):
    web.sign_in(create_user())
    page = web.open("/app/help")
    page.get_by_role("button", name="我要求助").click()
    form = page.locator(".help-form")
    _fill_help_form(form, phone="13812345678", description="有人组织赌博，请来帮忙处理一下")
    form.get_by_role("button", name="提交求助").click()
    expect(form.locator(".form-error")).to_be_visible()
    assert form.locator(".form-error").inner_text().strip()
    expect(page.locator(".my-help")).to_contain_text("您还没有提交过求助")


def test_signed_out_visitors_see_the_board_and_a_sign_in(help_api, web):
    page = web.open("/app/help")
    expect(page.get_by_role("link", name="登录后求助")).to_be_visible()
    expect(page.locator(".help-board")).to_contain_text("暂无求助")
    expect(page.locator(".my-help")).to_be_empty()


def test_the_dashboard_shows_the_numbers_of_the_api_and_the_charts(
    stats_api, web, client, activity_on, tomorrow, create_user, corpus_units
):
    activity_on(tomorrow, title="义诊一", theme="health")
    activity_on(tomorrow, start_hour=14, title="义诊二", theme="health")
    activity_on(tomorrow, title="党史宣讲", theme="history", unit_id=corpus_units["LY-CG"].id)
    volunteer = create_user()
    register_volunteer(
        volunteer, real_name="钱志愿", phone="13900003333", unit_id=corpus_units["LY-JL"].id
    )
    stats = client.get("/api/v1/stats").get_json()

    page = web.open("/app/stats")
    kpis = page.locator(".kpi")
    expect(kpis.filter(has_text="注册志愿者").locator("b")).to_have_text(
        str(stats["volunteers"]["registered"])
    )
    expect(kpis.filter(has_text="志愿服务队").locator("b")).to_have_text(str(stats["teams"]))
    expect(kpis.filter(has_text="今年").locator("b")).to_have_text(
        str(stats["activities"]["total"])
    )
    expect(page.locator(".township-charts svg")).to_have_count(2)
    expect(page.locator(".township-charts svg").first.locator("text").first).to_have_text("巨陵镇")
    month = f"{tomorrow.month}月"
    bars = page.locator(".theme-chart svg rect title")
    expect(bars.filter(has_text=f"{month} 送健康科普：2")).to_have_count(1)
    expect(bars.filter(has_text=f"{month} 学党史国史：1")).to_have_count(1)
    expect(page.locator(".theme-chart .legend")).to_contain_text("送文艺节目")
    web.shot("stats")
    page.locator(".theme-chart").scroll_into_view_if_needed()
    web.shot("stats-charts")

    page.get_by_label("范围").select_option(label="城关街道")
    expect(page).to_have_url(re.compile(rf"unit={corpus_units['LY-CG'].id}"))
    expect(bars.filter(has_text=f"{month} 送健康科普：0")).to_have_count(1)
    expect(bars.filter(has_text=f"{month} 学党史国史：1")).to_have_count(1)
