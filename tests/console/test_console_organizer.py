"""An organizer in the console: creates and publishes an activity; a resident signs up
through the API; the organizer checks them in and out from the roster; the hours are
approved — by another organizer, since nobody approves a record they entered (DESIGN
§4.10) — and the volunteer's ``/me/hours`` then shows them."""

import io
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect

from api.timeutil import LOCAL_TZ

PASSWORD = "organizer pass 1"


def test_organizer_runs_an_activity_from_publishing_to_approved_hours(
    console, create_user, corpus_units, frozen_clock, client, auth_headers, morning
):
    frozen_clock(morning)
    create_user("jl-admin", password=PASSWORD, roles=[("unit_admin", "LY-JL")])
    create_user("ly-admin", password=PASSWORD, roles=[("unit_admin", "LY")])
    volunteer = create_user()
    volunteer_headers = auth_headers(volunteer)
    registered = client.put(
        "/api/v1/me/volunteer",
        headers=volunteer_headers,
        json={"real_name": "李春梅", "phone": "13912345678", "unit_id": corpus_units["LY-JL"].id},
    )
    assert registered.status_code == 200

    browsing = console()
    browsing.sign_in("jl-admin", PASSWORD)
    page = browsing.open("/admin/activity")
    day = morning.astimezone(LOCAL_TZ).date().isoformat()
    page.get_by_label("活动名称").fill("冬季义诊进社区")
    page.get_by_label("主题").select_option(label="送健康科普")
    page.get_by_label("服务类别").select_option("医疗健身")
    page.get_by_label("举办单位").select_option(str(corpus_units["LY-JL"].id))
    page.get_by_label("开始时间").fill(f"{day}T09:00")
    page.get_by_label("结束时间").fill(f"{day}T11:00")
    page.get_by_label("名额").fill("10")
    page.get_by_role("button", name="保存为草稿").click()
    expect(page.locator(".tag", has_text="草稿")).to_be_visible()
    page.get_by_role("button", name="发布活动").click()
    page.get_by_role("button", name="确认发布").click()
    expect(page.locator(".tag", has_text="已发布")).to_be_visible()
    activity_id = int(page.url.split("id=")[1])

    signed = client.post(f"/api/v1/activities/{activity_id}/signups", headers=volunteer_headers)
    assert signed.status_code == 201 and signed.get_json()["status"] == "confirmed"

    frozen_clock(morning + timedelta(hours=1, minutes=2))
    page.get_by_role("link", name="花名册与签到").click()
    row = page.locator("tr", has_text="李*梅")
    row.get_by_role("button", name="代签到").click()
    row.get_by_label("代签到：原因").fill("老人未带手机")
    row.get_by_role("button", name="确认签到").click()
    expect(page.locator("tr", has_text="李*梅")).to_contain_text("工作人员代签")

    frozen_clock(morning + timedelta(hours=3, minutes=5))
    row = page.locator("tr", has_text="李*梅")
    row.get_by_role("button", name="代签退").click()
    row.get_by_label("代签退：原因").fill("手机没电")
    row.get_by_role("button", name="确认签退").click()
    records = page.locator("section", has_text="服务时长审核")
    pending = records.locator("tr", has_text="待审核")
    expect(pending).to_contain_text("120 分钟")
    # The check-out made this organizer the record's creator: someone else approves it.
    expect(pending).to_contain_text("由其他管理员审核")
    expect(records.get_by_role("button", name="通过")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("button", name="导出花名册 (.xlsx)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert [row[1:3] for row in sheet.iter_rows(min_row=4, values_only=True)] == [
        ("李*梅", "已参加")
    ]

    reviewer = console()
    reviewer.sign_in("ly-admin", PASSWORD)
    page = reviewer.open(f"/admin/roster?activity={activity_id}")
    records = page.locator("section", has_text="服务时长审核")
    records.get_by_role("button", name="全部通过（1 条）").click()
    records.get_by_role("button", name="确认全部通过").click()
    expect(records.locator("tr", has_text="已通过")).to_be_visible()

    hours = client.get("/api/v1/me/hours", headers=volunteer_headers).get_json()
    assert hours["total_hours"] == 2
    assert [(record["activity_id"], record["status"]) for record in hours["records"]] == [
        (activity_id, "approved")
    ]


def test_a_weekly_series_shows_field_errors_then_its_occurrences(
    console, create_user, corpus_units, morning
):
    create_user("jl-series", password=PASSWORD, roles=[("team_leader", "LY-JL")])
    browsing = console()
    browsing.sign_in("jl-series", PASSWORD)
    page = browsing.open("/admin/series")
    first = morning.astimezone(LOCAL_TZ).date()
    last = first + timedelta(days=13)
    page.get_by_label("首次日期").fill(first.isoformat())
    page.get_by_label("末次日期").fill(last.isoformat())
    page.get_by_label("活动名称").fill("放学娃之家")
    page.get_by_label("主题").select_option("caring")
    page.get_by_label("服务类别").select_option("助学支教")
    page.get_by_label("举办单位").select_option(str(corpus_units["LY-JL"].id))
    page.get_by_role("button", name="生成系列活动").click()
    # The nested rule's message stands at its field.
    expect(page.get_by_role("group", name="每周几").locator(".field-error")).to_contain_text(
        "长度应在 1 到 7 之间"
    )

    page.get_by_label("周一").check()
    page.get_by_label("周三").check()
    page.get_by_role("button", name="生成系列活动").click()
    expected = sum(
        1 for offset in range(14) if (first + timedelta(days=offset)).weekday() in (0, 2)
    )
    expect(page.get_by_role("heading", name=f"已生成 {expected} 场")).to_be_visible()
    assert "id=" in page.url
    page.reload()
    expect(page.get_by_role("heading", name=f"系列中的活动（{expected} 场）")).to_be_visible()
    expect(page.get_by_label("周三")).to_be_checked()
