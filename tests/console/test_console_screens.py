"""Every organizer and dispatcher screen of the console, with data on it: no serious or
critical axe-core violation, a screenshot at 1366×768 (and on a phone for the roster and
the dispatch board), and the bytes of HTML + JS + CSS each first load transfers."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from api.extensions import db
from api.help.models import HelpResponder
from api.units.models import Team

PASSWORD = "screens pass 1"
HELP = {
    "category": "卫生环保",
    "description": "家门口排水沟堵塞，需要帮忙清理",
    "address": "油坊陈村3组12号",
    "contact_name": "陈桂兰",
    "phone": "13912345678",
    "channel": "hotline",
}
BAD_IMPORT = (
    "external_id,title,description,theme,category,unit_code,team_code,starts_at,ends_at,"
    "address,lat,lng,capacity,audience\n"
    "Z-1,义诊,,sports,医疗健身,LY-JL,,2026-12-20T09:00:00+08:00,2026-12-20T11:00:00+08:00,"
    ",,,,public\n"
).encode()


def _world(client, create_user, auth_headers, create_activity, corpus_units, frozen_clock, morning):
    """An activity run through sign-ups (one waitlisted), check-in and check-out (one
    record approved and disputed, one pending); a draft; hotline requests waiting and
    dispatched."""
    frozen_clock(morning)
    staff = create_user("jl-staff", password=PASSWORD, roles=[("unit_admin", "LY-JL")])
    organizer = auth_headers(staff)
    # Someone else runs the check-in: the records are then not the console user's own.
    desk = auth_headers(create_user("jl-desk", roles=[("team_leader", "LY-JL")]))
    activity = create_activity(
        title="冬季义诊进社区",
        starts_at=morning + timedelta(hours=1),
        capacity=2,
        lat=None,
        lng=None,
    )
    create_activity(
        title="元旦文艺汇演（草稿）", status="draft", starts_at=morning + timedelta(days=3)
    )
    people = []
    for number, name in enumerate(("李春梅", "王建国", "赵秀英")):
        person = create_user()
        headers = auth_headers(person)
        client.put(
            "/api/v1/me/volunteer",
            headers=headers,
            json={
                "real_name": name,
                "phone": f"1391234567{number}",
                "unit_id": corpus_units["LY-JL"].id,
            },
        )
        assert (
            client.post(f"/api/v1/activities/{activity.id}/signups", headers=headers).status_code
            == 201
        )
        people.append((person, headers))
    url = f"/api/v1/activities/{activity.id}"
    frozen_clock(morning + timedelta(hours=1))
    for person, _ in people[:2]:
        assert (
            client.post(
                f"{url}/checkins/staff",
                headers=desk,
                json={"user_id": person.id, "reason": "老人未带手机"},
            ).status_code
            == 201
        )
    frozen_clock(morning + timedelta(hours=3, minutes=10))
    for person, _ in people[:2]:
        assert (
            client.post(
                f"{url}/checkouts/staff",
                headers=desk,
                json={"user_id": person.id, "reason": "手机没电"},
            ).status_code
            == 200
        )
    records = client.get(
        f"/api/v1/hours/records?activity_id={activity.id}", headers=organizer
    ).get_json()["data"]
    first = next(record for record in records if record["user_id"] == people[0][0].id)
    assert (
        client.post(
            f"/api/v1/hours/records/{first['id']}/approve", headers=organizer, json={}
        ).status_code
        == 200
    )
    assert (
        client.post(
            "/api/v1/me/hours/disputes",
            headers=people[0][1],
            json={
                "kind": "wrong",
                "record_id": first["id"],
                "claimed_minutes": 100,
                "description": "我中途离开二十分钟，应为一百分钟",
            },
        ).status_code
        == 201
    )

    team = db.session.scalar(sa.select(Team).where(Team.code == "T-JL-02"))
    db.session.add(HelpResponder(team_id=team.id, user_id=people[1][0].id))
    db.session.commit()
    for unit in ("LY-JL-YFC", "LY-JL"):
        created = client.post(
            "/api/v1/help-requests",
            headers=organizer,
            json={**HELP, "unit_id": corpus_units[unit].id},
        )
        assert created.status_code == 201, created.get_json()
    assert (
        client.post(
            f"/api/v1/help-requests/{created.get_json()['id']}/dispatch",
            headers=organizer,
            json={"team_id": team.id},
        ).status_code
        == 200
    )
    return activity, team


def _load(browsing, path: str) -> int:
    """Open ``path`` with the cache off; the bytes of its HTML, JS and CSS."""
    start = len(browsing.traffic.requests)
    browsing.open(path)
    browsing.wait_until_loaded()
    total = 0
    for request in browsing.traffic.requests[start:]:
        if request.resource_type in ("document", "script", "stylesheet") and request.response():
            total += request.sizes()["responseBodySize"]
    return total


@pytest.mark.slow
def test_every_screen_is_accessible_and_drawn(
    console,
    client,
    create_user,
    auth_headers,
    create_activity,
    corpus_units,
    frozen_clock,
    morning,
    console_weights,
):
    activity, team = _world(
        client, create_user, auth_headers, create_activity, corpus_units, frozen_clock, morning
    )
    draft = db.session.scalar(sa.text("SELECT id FROM activities WHERE status = 'draft'"))
    screens = {
        "home": "/admin/",
        "activities": "/admin/activities?start=",
        "activity-edit": f"/admin/activity?id={draft}",
        "series": "/admin/series",
        "roster": f"/admin/roster?activity={activity.id}",
        "hours": "/admin/hours",
        "hours-disputes": "/admin/hours?view=disputes",
        "import": "/admin/import",
        "reports": "/admin/reports",
        "dispatch": "/admin/dispatch",
        "hotline": "/admin/hotline",
        "responders": f"/admin/responders?team={team.id}",
    }
    pc = console()
    pc.sign_in("jl-staff", PASSWORD)
    cdp = pc.context.new_cdp_session(pc.page)
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    found = {}
    for name, path in screens.items():
        console_weights[name] = _load(pc, path)
        expect(pc.page.locator(".state-error")).to_have_count(0)
        if name.startswith("dispatch"):
            expect(pc.page.locator("tbody tr", has_text="陈桂兰")).to_have_count(1)
        if name == "home":
            for label, count in (
                ("待审核时长", "1"),
                ("待处理申诉", "1"),
                ("待派单求助", "1"),
                ("超时求助", "0"),
            ):
                expect(pc.page.locator(".shortcut", has_text=label)).to_contain_text(count)
        if name == "reports":
            pc.page.get_by_role("button", name="查看").click()
            expect(pc.page.get_by_role("button", name="下载 .xlsx")).to_be_visible()
        found[name] = pc.axe_violations()
        pc.shot(f"{name}-pc")

    # An import with a bad row lists it at the file field, with its line.
    pc.open("/admin/import")
    pc.page.get_by_label("活动表（.xlsx 或 .csv）").set_input_files(
        files=[{"name": "活动.csv", "mimeType": "text/csv", "buffer": BAD_IMPORT}]
    )
    pc.page.get_by_role("button", name="上传并导入").click()
    expect(pc.page.get_by_role("list", name="无法导入的行")).to_contain_text("第 2 行")
    found["import-errors"] = pc.axe_violations()
    pc.shot("import-errors-pc")

    phone = console(phone=True)
    phone.sign_in("jl-staff", PASSWORD)
    for name in ("roster", "dispatch", "activities"):
        phone.open(screens[name])
        found[f"{name}-phone"] = phone.axe_violations()
        phone.shot(f"{name}-phone")
    failing = {name: items for name, items in found.items() if items}
    assert failing == {}, json.dumps(failing, ensure_ascii=False)
